import { Config, ConfigProvider, Layer, type ManagedRuntime } from "effect";
import { type PlatformSecrets, PlatformSecretsLive, revealSecrets } from "../../libs/auth/platform-secrets.ts";
import { type Origins, originsConfig } from "../../libs/config/origins.ts";
import { makeRouteRunner } from "../../libs/http/effect-bridge.ts";
import type { AppContext, ServedApp, ServiceName } from "../../libs/http/service-definition.ts";
import type { PreviewDirectory } from "../../libs/previews/directory.ts";
import { HttpPreviewDirectoryLive } from "../../libs/previews/http-directory.ts";
import type { UpstreamClient } from "../../libs/proxy/upstream-client.ts";
import { type ApiBackend, backendOfUrl, makeGatewayApp } from "./app.ts";
import { checkCorsOrigins, type GatewayConfig, gatewayConfig } from "./config.ts";
import type { PreviewProxy } from "./preview-proxy.ts";
import { nodeFastPath, previewProxyLayer, upstreamClientLayer } from "./proxy-layers.ts";
import { makeWebSocketUpgrade } from "./websocket-upgrade.ts";

export interface GatewaySettings {
  readonly gateway: GatewayConfig;
  readonly origins: Origins;
}

/** The gateway's layers over a given preview directory (the orchestrator's, over HTTP or in process). */
export const gatewayLayer = <E>(settings: GatewaySettings, directory: Layer.Layer<PreviewDirectory, E>) =>
  Layer.mergeAll(previewProxyLayer(settings.gateway, settings.origins, directory), directory, upstreamClientLayer);

/** The gateway, defined once (services/launcher.ts serves it). */
export const gatewayDefinition = {
  name: "gateway" as const,
  config: Config.all({ gateway: gatewayConfig, origins: originsConfig }).pipe(Config.map((settings): GatewaySettings => {
    checkCorsOrigins(settings.gateway.corsOrigins, settings.origins);
    return settings;
  })),
  listen: (settings: GatewaySettings) => ({ host: settings.gateway.host, port: settings.gateway.port }),
  /** Alone: previews are looked up at GATEWAY_ORCHESTRATOR_URL. */
  layer: (settings: GatewaySettings, configProvider: ConfigProvider.ConfigProvider) => {
    const secrets = PlatformSecretsLive.pipe(Layer.provide(ConfigProvider.layer(configProvider)));
    // Provided, not only merged: the proxy reaches previews on other nodes with the internal token.
    return Layer.provideMerge(gatewayLayer(settings, HttpPreviewDirectoryLive(settings.gateway.orchestratorUrl).pipe(Layer.provide(secrets))), secrets);
  },
  app: async (
    runtime: ManagedRuntime.ManagedRuntime<PreviewProxy | PreviewDirectory | UpstreamClient | PlatformSecrets, never>,
    context: AppContext<GatewaySettings>,
  ): Promise<ServedApp> => {
    const { jwtSecret } = await revealSecrets(runtime);
    const { gateway, origins } = context.config;
    // A service this process also runs is handed requests in process; any other is reached at its URL.
    const backend = (name: ServiceName, url: string): ApiBackend => {
      const local = context.here.get(name);
      return local === undefined ? backendOfUrl(url) : { kind: "in-process", fetch: local };
    };
    const intercept = nodeFastPath(runtime, gateway, origins, context.logger);
    return {
      fetch: makeGatewayApp({
        run: makeRouteRunner(runtime, context.logger),
        orchestrator: backend("orchestrator", gateway.orchestratorUrl),
        logs: backend("logs", gateway.logsUrl),
        jwtSecret,
        origins,
        corsOrigins: gateway.corsOrigins,
        upstreamTimeoutMs: gateway.upstreamTimeoutMs,
        apiTimeoutMs: gateway.apiTimeoutMs,
        maxBodyBytes: gateway.maxProxyBodyBytes,
        maxRequestAnswerBytes: gateway.maxRequestAnswerBytes,
        logger: context.logger,
        localMode: gateway.localMode,
      }).fetch,
      onUpgrade: makeWebSocketUpgrade(runtime, origins, context.logger),
      ...(intercept === undefined ? {} : { intercept }),
    };
  },
};
