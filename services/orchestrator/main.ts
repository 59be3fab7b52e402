import { ConfigProvider } from "effect";
import { shutdownOnSignals } from "../../libs/http/run-service.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { orchestratorLogSink } from "./log-sink.ts";
import { serveOrchestrator } from "./serve-orchestrator.ts";

const logger = makeLogger("orchestrator");
const service = await serveOrchestrator({ logSink: orchestratorLogSink, configProvider: ConfigProvider.fromEnv(), logger });
logger.info("listening", { port: service.server.port });
shutdownOnSignals(service.shutdown, logger);
