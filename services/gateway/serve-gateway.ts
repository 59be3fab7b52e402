import { ConfigProvider, Layer } from "effect";
import { PlatformSecretsLive } from "../../libs/auth/platform-secrets.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import type { PreviewDirectory } from "../../libs/previews/directory.ts";
import { serveAlone } from "../serve-alone.ts";
import { gatewayDefinition, gatewayLayer } from "./definition.ts";

/** The gateway alone (services/launcher.ts); `directory` replaces the orchestrator's (bench/proxy.ts's outside origin). */
export const serveGateway = (options: {
  readonly configProvider: ConfigProvider.ConfigProvider;
  readonly logger: Logger;
  readonly port?: number;
  readonly directory?: Layer.Layer<PreviewDirectory>;
}) => {
  const directory = options.directory;
  return serveAlone(gatewayDefinition, options, (settings, provider) => directory === undefined
    ? gatewayDefinition.layer(settings, provider)
    : Layer.provideMerge(gatewayLayer(settings, directory), PlatformSecretsLive.pipe(Layer.provide(ConfigProvider.layer(provider)))));
};
