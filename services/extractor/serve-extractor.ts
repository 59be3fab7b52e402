import { ConfigProvider, Effect, Layer } from "effect";
import { PlatformSecretsLive, revealSecrets } from "../../libs/auth/platform-secrets.ts";
import { IsolatedEndpointExtractor } from "../../libs/extractor/isolated-extractor.ts";
import { makeRouteRunner } from "../../libs/http/effect-bridge.ts";
import { startService } from "../../libs/http/run-service.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { makeExtractorApp } from "./app.ts";
import { extractorConfig, libraryRootsOf } from "./config.ts";

/** Starts the extractor service on its configured (or the given) port. */
export const serveExtractor = async (options: {
  readonly configProvider: ConfigProvider.ConfigProvider;
  readonly logger: Logger;
  readonly port?: number;
}) => {
  const config = await Effect.runPromise(extractorConfig.parse(options.configProvider));
  const libraryRoots = await Effect.runPromise(libraryRootsOf(config.libraryRoots).parse(options.configProvider));
  return startService({
    layer: Layer.mergeAll(
      IsolatedEndpointExtractor({ heapMb: config.workerHeapMb, wallTimeMs: config.wallTimeMs, concurrency: config.concurrency }),
      PlatformSecretsLive,
    ).pipe(Layer.provide(ConfigProvider.layer(options.configProvider))),
    port: options.port ?? config.port,
    hostname: config.host,
    logger: options.logger,
    makeFetch: async (runtime) => {
      const { internalToken } = await revealSecrets(runtime);
      return makeExtractorApp({
        run: makeRouteRunner(runtime, options.logger),
        internalToken,
        maxBodyBytes: config.maxBodyBytes,
        libraryRoots,
        logger: options.logger,
      }).fetch;
    },
  });
};
