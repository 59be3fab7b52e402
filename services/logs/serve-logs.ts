import { ConfigProvider, Effect, Layer } from "effect";
import { revealSecrets } from "../../libs/auth/platform-secrets.ts";
import { makeRouteRunner } from "../../libs/http/effect-bridge.ts";
import { startService } from "../../libs/http/run-service.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { makeLogsApp } from "./app.ts";
import { logsConfig } from "./config.ts";
import { logsLayer } from "./layers.ts";
import { trackOpenStreams } from "./open-streams.ts";

/** Starts the logs service on its configured (or the given) port. */
export const serveLogs = async (options: {
  readonly configProvider: ConfigProvider.ConfigProvider;
  readonly logger: Logger;
  readonly port?: number;
}) => {
  const config = await Effect.runPromise(logsConfig.parse(options.configProvider));
  const streams = trackOpenStreams();
  const service = await startService({
    layer: logsLayer.pipe(Layer.provide(ConfigProvider.layer(options.configProvider))),
    port: options.port ?? config.port,
    hostname: config.host,
    logger: options.logger,
    makeFetch: async (runtime) => {
      const { jwtSecret, internalToken } = await revealSecrets(runtime);
      return makeLogsApp({
        run: makeRouteRunner(runtime, options.logger),
        jwtSecret,
        internalToken,
        config,
        logger: options.logger,
        onStream: streams.add,
      }).fetch;
    },
  });
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= streams.endAll(service.runtime).then(service.shutdown);
    return stopping;
  };
  return { ...service, shutdown };
};
