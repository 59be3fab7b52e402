import { ConfigProvider, Effect, Layer } from "effect";
import { originsConfig } from "../../libs/config/origins.ts";
import { PlatformSecretsLive, revealSecrets } from "../../libs/auth/platform-secrets.ts";
import { makeRouteRunner } from "../../libs/http/effect-bridge.ts";
import { startService } from "../../libs/http/run-service.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import type { PreviewDirectory } from "../../libs/previews/directory.ts";
import { HttpPreviewDirectoryLive } from "../../libs/previews/http-directory.ts";
import { backendOfUrl, makeGatewayApp } from "./app.ts";
import { checkCorsOrigins, gatewayConfig } from "./config.ts";
import { nodeFastPath, previewProxyLayer, upstreamClientLayer } from "./proxy-layers.ts";
import { makeWebSocketUpgrade } from "./websocket-upgrade.ts";

/** Starts the gateway: its config, its layers (secrets, orchestrator directory, upstream client, proxy), its app. */
export const serveGateway = async (options: {
  readonly configProvider: ConfigProvider.ConfigProvider;
  readonly logger: Logger;
  readonly port?: number;
  /** Where previews are looked up; the orchestrator's internal API unless given (bench/proxy.ts's outside origin). */
  readonly directory?: Layer.Layer<PreviewDirectory>;
}) => {
  const config = await Effect.runPromise(gatewayConfig.parse(options.configProvider));
  const origins = await Effect.runPromise(originsConfig.parse(options.configProvider));
  checkCorsOrigins(config.corsOrigins, origins);
  const secrets = PlatformSecretsLive.pipe(Layer.provide(ConfigProvider.layer(options.configProvider)));
  const directory = options.directory ?? HttpPreviewDirectoryLive(config.orchestratorUrl).pipe(Layer.provide(secrets));
  return startService({
    layer: Layer.mergeAll(previewProxyLayer(config, origins, directory), directory, upstreamClientLayer, secrets),
    port: options.port ?? config.port,
    hostname: config.host,
    logger: options.logger,
    makeUpgradeHandler: (runtime) => makeWebSocketUpgrade(runtime, origins, options.logger),
    makeNodeInterceptor: (runtime) => nodeFastPath(runtime, config, origins, options.logger),
    makeFetch: async (runtime) => {
      const { jwtSecret } = await revealSecrets(runtime);
      return makeGatewayApp({
        run: makeRouteRunner(runtime, options.logger),
        orchestrator: backendOfUrl(config.orchestratorUrl),
        logs: backendOfUrl(config.logsUrl),
        jwtSecret,
        origins,
        corsOrigins: config.corsOrigins,
        upstreamTimeoutMs: config.upstreamTimeoutMs,
        apiTimeoutMs: config.apiTimeoutMs,
        maxBodyBytes: config.maxProxyBodyBytes,
        maxRequestAnswerBytes: config.maxRequestAnswerBytes,
        logger: options.logger,
        localMode: config.localMode,
      }).fetch;
    },
  });
};
