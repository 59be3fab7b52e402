import { ConfigProvider } from "effect";
import { shutdownOnSignals } from "../../libs/http/run-service.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveLogs } from "./serve-logs.ts";

const logger = makeLogger("logs");
const service = await serveLogs({ configProvider: ConfigProvider.fromEnv(), logger });
logger.info("listening", { port: service.server.port });
shutdownOnSignals(service.shutdown, logger);
