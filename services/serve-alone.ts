// Imports no service: each process loads only the modules of the services it runs.
import { ConfigProvider, Effect, Layer } from "effect";
import { type ServiceHandle, startService } from "../libs/http/run-service.ts";
import type { ServedApp, ServiceDefinition } from "../libs/http/service-definition.ts";
import type { Logger } from "../libs/observability/logger.ts";

export interface LaunchOptions {
  readonly configProvider: ConfigProvider.ConfigProvider;
  readonly logger: Logger;
  /** The port of the one server (together), or of the one service launched alone; its config's otherwise. */
  readonly port?: number;
}

export const parseConfig = <A>(config: { parse: (p: ConfigProvider.ConfigProvider) => Effect.Effect<A, unknown> }, provider: ConfigProvider.ConfigProvider) =>
  Effect.runPromise(config.parse(provider));

/**
 * One service alone on its port: its layer (peers over HTTP, unless `layerOf` gives another, as
 * tests do with an in-memory log sink or a stand-in directory), its app.
 */
export const serveAlone = async <C, R, E>(
  definition: Pick<ServiceDefinition<C, R, E>, "config" | "listen" | "app">,
  options: LaunchOptions,
  layerOf: (config: C, configProvider: ConfigProvider.ConfigProvider) => Layer.Layer<R, E>,
): Promise<ServiceHandle<R>> => {
  const config = await parseConfig(definition.config, options.configProvider);
  const listen = definition.listen(config);
  let app: ServedApp | undefined;
  const service = await startService({
    layer: layerOf(config, options.configProvider).pipe(Layer.provide(ConfigProvider.layer(options.configProvider))),
    port: options.port ?? listen.port,
    hostname: listen.host,
    logger: options.logger,
    makeFetch: async (runtime) => {
      app = await definition.app(runtime, { config, logger: options.logger, configProvider: options.configProvider, here: new Map() });
      return app.fetch;
    },
    makeUpgradeHandler: () => app?.onUpgrade,
    makeNodeInterceptor: () => app?.intercept,
  });
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      await app?.beforeClose?.();
      await service.shutdown();
    })();
    return stopping;
  };
  return { ...service, shutdown };
};

