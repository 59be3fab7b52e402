import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigProvider, Effect, Layer } from "effect";
import { revealSecrets } from "../../libs/auth/platform-secrets.ts";
import { makeRouteRunner } from "../../libs/http/effect-bridge.ts";
import { startService } from "../../libs/http/run-service.ts";
import { LogFanout } from "../../libs/logs/contract.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { makeLogsApp } from "./app.ts";
import { logsConfig } from "./config.ts";
import { logsLayer } from "./layers.ts";

/** Starts the logs service on its configured (or the given) port. */
export const serveLogs = async (options: {
  readonly configProvider: ConfigProvider.ConfigProvider;
  readonly logger: Logger;
  readonly port?: number;
}) => {
  const config = await Effect.runPromise(logsConfig.parse(options.configProvider));
  const streams = new Set<Socket>();
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
        onStream: (socket) => {
          streams.add(socket);
          socket.once("close", () => streams.delete(socket));
        },
      }).fetch;
    },
  });
  // Open log streams would hold the server's close forever: end them first (each client keeps
  // its last id and resumes when the service is back). A client that stopped reading never lets
  // its stream end, so what is still open after a moment is cut.
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      await service.runtime.runPromise(Effect.gen(function* () { yield* (yield* LogFanout).closeAll; }));
      for (let waited = 0; streams.size > 0 && waited < 1000; waited += 50) await sleep(50);
      for (const socket of streams) socket.destroy();
      await service.shutdown();
    })();
    return stopping;
  };
  return { ...service, shutdown };
};
