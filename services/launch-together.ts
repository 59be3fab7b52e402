import { ConfigProvider, Layer, ManagedRuntime } from "effect";
import { revealSecrets } from "../libs/auth/platform-secrets.ts";
import { type RunningServer, serveFetch } from "../libs/http/serve.ts";
import type { FetchHandler, ServedApp, ServiceName } from "../libs/http/service-definition.ts";
import { InProcessPreviewDirectory } from "../libs/previews/in-process-directory.ts";
import { gatewayDefinition, gatewayLayer } from "./gateway/definition.ts";
import { logsDefinition } from "./logs/definition.ts";
import { InProcessLogSink } from "./logs/in-process-sink.ts";
import { logsCoreLayer, logsEdgeLayer } from "./logs/layers.ts";
import { logSinkOptions } from "./orchestrator/config.ts";
import { orchestratorDefinition } from "./orchestrator/definition.ts";
import { orchestratorLayer } from "./orchestrator/layers.ts";
import { type LaunchOptions, parseConfig as parse } from "./serve-alone.ts";

/**
 * Every service in one process on the gateway's port, each peer in process: the orchestrator's
 * log sink writes to the logs ingest, the directory asks the Previews service, the extractor
 * runs in process (unless ORCHESTRATOR_EXTRACTOR_URL names one), and the gateway hands API
 * requests to the services' apps without a network hop. One runtime holds every layer.
 */
export const launchTogether = async (options: LaunchOptions) => {
  const provider = options.configProvider;
  const [orchestrator, logs, gateway] = await Promise.all([
    parse(orchestratorDefinition.config, provider), parse(logsDefinition.config, provider), parse(gatewayDefinition.config, provider),
  ]);
  const sink = InProcessLogSink(logSinkOptions(orchestrator)).pipe(Layer.provide(logsCoreLayer));
  const services = orchestratorLayer(sink);
  const directory = InProcessPreviewDirectory.pipe(Layer.provide(services));
  const layer = Layer.mergeAll(services, logsCoreLayer, logsEdgeLayer(logsCoreLayer, directory), gatewayLayer(gateway, directory))
    .pipe(Layer.provide(ConfigProvider.layer(provider)));
  const runtime = ManagedRuntime.make(Layer.orDie(layer));
  await runtime.context();
  await revealSecrets(runtime);
  const here = new Map<ServiceName, FetchHandler>();
  const context = <C>(config: C) => ({ config, logger: options.logger, configProvider: provider, here });
  const apps: ServedApp[] = [];
  for (const [name, make] of [
    ["orchestrator", () => orchestratorDefinition.app(runtime, context(orchestrator))],
    ["logs", () => logsDefinition.app(runtime, context(logs))],
    ["gateway", () => gatewayDefinition.app(runtime, context(gateway))],
  ] as const) {
    const app = await make();
    apps.push(app);
    here.set(name, app.fetch);
  }
  const front = apps[apps.length - 1] as ServedApp;
  const server = await serveFetch(front.fetch, {
    port: options.port ?? gateway.gateway.port,
    hostname: gateway.gateway.host,
    ...(front.onUpgrade ? { onUpgrade: front.onUpgrade } : {}),
    ...(front.intercept ? { intercept: front.intercept } : {}),
  });
  let stopping: Promise<void> | undefined;
  return {
    runtime,
    server,
    servers: new Map<ServiceName, RunningServer>([["gateway", server]]),
    shutdown: (): Promise<void> => (stopping ??= (async () => {
      // Log streams end first (clients keep their last id), then requests drain, then previews stop and files close.
      for (const app of apps) await app.beforeClose?.();
      await server.close();
      await runtime.dispose();
    })()),
  };
};

