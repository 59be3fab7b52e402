import { ConfigProvider } from "effect";
import { shutdownOnSignals } from "../../libs/http/run-service.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveExtractor } from "./serve-extractor.ts";

const logger = makeLogger("extractor");
const service = await serveExtractor({ configProvider: ConfigProvider.fromEnv(), logger });
logger.info("listening", { port: service.server.port });
shutdownOnSignals(service.shutdown, logger);
