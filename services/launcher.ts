import { ConfigProvider, Effect, Layer, ManagedRuntime } from "effect";
import { revealSecrets } from "../libs/auth/platform-secrets.ts";
import { type ServiceHandle, startService } from "../libs/http/run-service.ts";
import { type RunningServer, serveFetch } from "../libs/http/serve.ts";
import type { FetchHandler, ServedApp, ServiceDefinition, ServiceName } from "../libs/http/service-definition.ts";
import type { Logger } from "../libs/observability/logger.ts";
import { InProcessPreviewDirectory } from "../libs/previews/in-process-directory.ts";
import { extractorDefinition } from "./extractor/definition.ts";
import { gatewayDefinition, gatewayLayer } from "./gateway/definition.ts";
import { logsDefinition } from "./logs/definition.ts";
import { InProcessLogSink } from "./logs/in-process-sink.ts";
import { logsCoreLayer, logsEdgeLayer } from "./logs/layers.ts";
import { logSinkOptions } from "./orchestrator/config.ts";
import { orchestratorDefinition } from "./orchestrator/definition.ts";
import { orchestratorLayer } from "./orchestrator/layers.ts";

export const serviceNames: ReadonlyArray<ServiceName> = ["orchestrator", "logs", "extractor", "gateway"];
/** Stop order, as `npm start` stops its processes: previews first (their last lines still reach the logs service), the front last but one. */
const stopOrder: ReadonlyArray<ServiceName> = ["orchestrator", "logs", "gateway", "extractor"];

export interface LaunchOptions {
  readonly configProvider: ConfigProvider.ConfigProvider;
  readonly logger: Logger;
  /** The port of the one server (together), or of the one service launched alone; its config's otherwise. */
  readonly port?: number;
}

export interface Launched {
  readonly servers: ReadonlyMap<ServiceName, RunningServer>;
  /** Ordered: open log streams end, servers stop accepting and drain, previews stop, files close. Idempotent. */
  readonly shutdown: () => Promise<void>;
}

const parse = <A>(config: { parse: (p: ConfigProvider.ConfigProvider) => Effect.Effect<A, unknown> }, provider: ConfigProvider.ConfigProvider) =>
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
  const config = await parse(definition.config, options.configProvider);
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

const serveByName = (name: ServiceName, options: LaunchOptions): Promise<{ readonly server: RunningServer; readonly shutdown: () => Promise<void> }> => {
  switch (name) {
    case "orchestrator": return serveAlone(orchestratorDefinition, options, orchestratorDefinition.layer);
    case "logs": return serveAlone(logsDefinition, options, logsDefinition.layer);
    case "gateway": return serveAlone(gatewayDefinition, options, gatewayDefinition.layer);
    case "extractor": return serveAlone(extractorDefinition, options, extractorDefinition.layer);
  }
};

/** Each named service alone on its own port in this process, peers over HTTP; stopped in `npm start`'s order. */
const launchSplit = async (names: ReadonlyArray<ServiceName>, options: LaunchOptions): Promise<Launched> => {
  const started = new Map<ServiceName, { server: RunningServer; shutdown: () => Promise<void> }>();
  // A port given is the one service's; several each take their own from config.
  const { port, ...withoutPort } = options;
  const each = names.length === 1 && port !== undefined ? options : withoutPort;
  const stop = async () => {
    for (const name of stopOrder) await started.get(name)?.shutdown();
  };
  try {
    for (const name of serviceNames.filter((n) => names.includes(n))) {
      started.set(name, await serveByName(name, each));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  let stopping: Promise<void> | undefined;
  return {
    servers: new Map([...started].map(([name, s]) => [name, s.server])),
    shutdown: () => (stopping ??= stop()),
  };
};

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

/**
 * The one launcher: serves any set of the services, `split` (each on its own port, peers over
 * HTTP: what `npm start` runs, one per process) or all together on one port (`npm run
 * start:all-in-one`), with an ordered shutdown either way.
 */
export const launch = async (names: ReadonlyArray<ServiceName>, mode: "split" | "together", options: LaunchOptions): Promise<Launched> => {
  const unknown = names.filter((n) => !serviceNames.includes(n));
  if (unknown.length > 0) throw new Error(`Unknown service ${unknown.join(", ")}; the services are ${serviceNames.join(", ")}`);
  if (mode === "split") return launchSplit(names, options);
  const missing = (["orchestrator", "logs", "gateway"] as const).filter((n) => !names.includes(n));
  if (missing.length > 0) throw new Error(`Together, the services are served behind the gateway's port with their peers in process: add ${missing.join(", ")}`);
  return launchTogether(options);
};
