import { ConfigProvider, Effect, Layer, type ManagedRuntime } from "effect";
import { type PlatformSecrets, PlatformSecretsLive, revealSecrets } from "../../libs/auth/platform-secrets.ts";
import type { EndpointExtractor } from "../../libs/extractor/contract.ts";
import { IsolatedEndpointExtractor } from "../../libs/extractor/isolated-extractor.ts";
import { makeRouteRunner } from "../../libs/http/effect-bridge.ts";
import type { AppContext, ServedApp } from "../../libs/http/service-definition.ts";
import { makeExtractorApp } from "./app.ts";
import { type ExtractorConfig, extractorConfig, libraryRootsOf } from "./config.ts";

/** The extractor service, defined once (services/launcher.ts serves it). */
export const extractorDefinition = {
  name: "extractor" as const,
  config: extractorConfig,
  listen: (config: ExtractorConfig) => ({ host: config.host, port: config.port }),
  layer: (config: ExtractorConfig, configProvider: ConfigProvider.ConfigProvider) => Layer.mergeAll(
    Layer.unwrap(libraryRootsOf(config.libraryRoots).parse(configProvider).pipe(
      Effect.orDie,
      Effect.map((readableDirs) => IsolatedEndpointExtractor({ heapMb: config.workerHeapMb, wallTimeMs: config.wallTimeMs, concurrency: config.concurrency, readableDirs })),
    )),
    PlatformSecretsLive,
  ).pipe(Layer.provide(ConfigProvider.layer(configProvider))),
  app: async (runtime: ManagedRuntime.ManagedRuntime<EndpointExtractor | PlatformSecrets, never>, context: AppContext<ExtractorConfig>): Promise<ServedApp> => {
    const { internalToken } = await revealSecrets(runtime);
    const libraryRoots = await Effect.runPromise(libraryRootsOf(context.config.libraryRoots).parse(context.configProvider));
    return {
      fetch: makeExtractorApp({
        run: makeRouteRunner(runtime, context.logger),
        internalToken,
        maxBodyBytes: context.config.maxBodyBytes,
        libraryRoots,
        logger: context.logger,
      }).fetch,
    };
  },
};
