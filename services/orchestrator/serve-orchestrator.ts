import { ConfigProvider, Effect, Layer } from "effect";
import { revealSecrets } from "../../libs/auth/platform-secrets.ts";
import { makeRouteRunner } from "../../libs/http/effect-bridge.ts";
import { startService } from "../../libs/http/run-service.ts";
import type { LogSink } from "../../libs/logsink/contract.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { makeOrchestratorApp } from "./app.ts";
import { orchestratorConfig } from "./config.ts";
import { orchestratorLayer } from "./layers.ts";

/** Starts the orchestrator on its configured (or the given) port with the given log sink (orchestratorLogSink in production). */
export const serveOrchestrator = async <ROut, E>(options: {
  readonly logSink: Layer.Layer<ROut | LogSink, E>;
  readonly configProvider: ConfigProvider.ConfigProvider;
  readonly logger: Logger;
  readonly port?: number;
}) => {
  const config = await Effect.runPromise(orchestratorConfig.parse(options.configProvider));
  return startService({
    layer: orchestratorLayer(options.logSink).pipe(Layer.provide(ConfigProvider.layer(options.configProvider))),
    port: options.port ?? config.port,
    hostname: config.host,
    logger: options.logger,
    makeFetch: async (runtime) => {
      const { jwtSecret, internalToken } = await revealSecrets(runtime);
      return makeOrchestratorApp({
        run: makeRouteRunner(runtime, options.logger),
        jwtSecret,
        internalToken,
        fileLimits: { maxFiles: config.maxFiles, maxFileBytes: config.maxFileBytes, maxTotalBytes: config.maxTotalBytes },
        logger: options.logger,
      }).fetch;
    },
  });
};
