import type { ConfigProvider } from "effect";
import type { Logger } from "../../libs/observability/logger.ts";
import { serveAlone } from "../serve-alone.ts";
import { extractorDefinition } from "./definition.ts";

/** The extractor service alone on its configured (or the given) port (services/launcher.ts). */
export const serveExtractor = (options: { readonly configProvider: ConfigProvider.ConfigProvider; readonly logger: Logger; readonly port?: number }) =>
  serveAlone(extractorDefinition, options, extractorDefinition.layer);
