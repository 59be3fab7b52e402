import type { ConfigProvider } from "effect";
import type { Logger } from "../../libs/observability/logger.ts";
import { launchTogether } from "../launch-together.ts";

/** Every service in one process on one port, peers in process (services/launcher.ts). */
export const serveAllInOne = (options: { readonly configProvider: ConfigProvider.ConfigProvider; readonly logger: Logger; readonly port?: number }) =>
  launchTogether(options);
