import type { ConfigProvider } from "effect";
import type { Logger } from "../../libs/observability/logger.ts";
import { serveAlone } from "../serve-alone.ts";
import { logsDefinition } from "./definition.ts";

/** The logs service alone on its configured (or the given) port (services/launcher.ts). */
export const serveLogs = (options: { readonly configProvider: ConfigProvider.ConfigProvider; readonly logger: Logger; readonly port?: number }) =>
  serveAlone(logsDefinition, options, logsDefinition.layer);
