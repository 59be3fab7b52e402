import { type Config, ConfigProvider, Effect, Layer, Option } from "effect";
import { PlatformSecretsLive } from "../../libs/auth/platform-secrets.ts";
import { shutdownOnSignals } from "../../libs/http/run-service.ts";
import type { LogSink } from "../../libs/logsink/contract.ts";
import { HttpLogSink } from "../../libs/logsink/http-sink.ts";
import { InMemoryLogSink } from "../../libs/logsink/in-memory.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { logSinkOptions, orchestratorConfig } from "./config.ts";
import { serveOrchestrator } from "./serve-orchestrator.ts";

const logger = makeLogger("orchestrator");
const configProvider = ConfigProvider.fromEnv();
const config = await Effect.runPromise(orchestratorConfig.parse(configProvider));
const logSink: Layer.Layer<LogSink, Config.ConfigError> = Option.match(config.logsUrl, {
  onNone: () => InMemoryLogSink,
  onSome: (url) => HttpLogSink({ url, ...logSinkOptions(config) }).pipe(Layer.provide(PlatformSecretsLive)),
});
const service = await serveOrchestrator({
  logSink,
  configProvider,
  logger,
});
logger.info("listening", { port: service.server.port });
shutdownOnSignals(service.shutdown, logger);
