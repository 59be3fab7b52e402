import { ConfigProvider } from "effect";
import { shutdownOnSignals } from "../../libs/http/run-service.ts";
import { InMemoryLogSink } from "../../libs/logsink/in-memory.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveOrchestrator } from "./serve-orchestrator.ts";

const logger = makeLogger("orchestrator");
const service = await serveOrchestrator({
  logSink: InMemoryLogSink,
  configProvider: ConfigProvider.fromEnv(),
  logger,
});
logger.info("listening", { port: service.server.port });
shutdownOnSignals(service.shutdown, logger);
