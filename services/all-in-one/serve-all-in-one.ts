import { ConfigProvider, Effect, Layer, ManagedRuntime } from "effect";
import { originsConfig } from "../../libs/config/origins.ts";
import { revealSecrets } from "../../libs/auth/platform-secrets.ts";
import { makeRouteRunner } from "../../libs/http/effect-bridge.ts";
import { serveFetch } from "../../libs/http/serve.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { InProcessPreviewDirectory } from "../../libs/previews/in-process-directory.ts";
import { makeGatewayApp } from "../gateway/app.ts";
import { checkCorsOrigins, gatewayConfig } from "../gateway/config.ts";
import { nodeFastPath, previewProxyLayer, upstreamClientLayer } from "../gateway/proxy-layers.ts";
import { makeWebSocketUpgrade } from "../gateway/websocket-upgrade.ts";
import { makeLogsApp } from "../logs/app.ts";
import { logsConfig } from "../logs/config.ts";
import { InProcessLogSink } from "../logs/in-process-sink.ts";
import { logsCoreLayer, logsEdgeLayer } from "../logs/layers.ts";
import { trackOpenStreams } from "../logs/open-streams.ts";
import { makeOrchestratorApp } from "../orchestrator/app.ts";
import { logSinkOptions, orchestratorConfig } from "../orchestrator/config.ts";
import { orchestratorLayer } from "../orchestrator/layers.ts";

/**
 * Every service in one process on one port, each peer reached through its in-process layer:
 * the orchestrator's log sink writes to the logs ingest, the directory asks the Previews
 * service, the extractor runs in process, and the gateway hands API requests to the services'
 * apps without a network hop.
 */
export const serveAllInOne = async (options: { readonly configProvider: ConfigProvider.ConfigProvider; readonly logger: Logger; readonly port?: number }) => {
  const parse = <A>(config: { parse: (p: ConfigProvider.ConfigProvider) => Effect.Effect<A, unknown> }) => Effect.runPromise(config.parse(options.configProvider));
  const [gateway, logs, orchestrator, origins] = await Promise.all([parse(gatewayConfig), parse(logsConfig), parse(orchestratorConfig), parse(originsConfig)]);
  checkCorsOrigins(gateway.corsOrigins, origins);

  const sink = InProcessLogSink(logSinkOptions(orchestrator)).pipe(Layer.provide(logsCoreLayer));
  const services = orchestratorLayer(sink);
  const directory = InProcessPreviewDirectory.pipe(Layer.provide(services));
  const layer = Layer.mergeAll(services, logsCoreLayer, logsEdgeLayer(logsCoreLayer, directory), previewProxyLayer(gateway, origins, directory), upstreamClientLayer)
    .pipe(Layer.provide(ConfigProvider.layer(options.configProvider)));

  const runtime = ManagedRuntime.make(Layer.orDie(layer));
  await runtime.context();
  const { jwtSecret, internalToken } = await revealSecrets(runtime);
  const run = makeRouteRunner(runtime, options.logger);
  const streams = trackOpenStreams();
  const orchestratorApp = makeOrchestratorApp({
    run, jwtSecret, internalToken, logger: options.logger,
    fileLimits: { maxFiles: orchestrator.maxFiles, maxFileBytes: orchestrator.maxFileBytes, maxTotalBytes: orchestrator.maxTotalBytes },
  });
  const logsApp = makeLogsApp({
    run, jwtSecret, internalToken, config: logs, logger: options.logger,
    onStream: streams.add,
  });
  const gatewayApp = makeGatewayApp({
    run,
    orchestrator: { kind: "in-process", fetch: (request) => orchestratorApp.fetch(request) },
    logs: { kind: "in-process", fetch: (request) => logsApp.fetch(request) },
    jwtSecret,
    origins,
    corsOrigins: gateway.corsOrigins,
    upstreamTimeoutMs: gateway.upstreamTimeoutMs,
    apiTimeoutMs: gateway.apiTimeoutMs,
    maxBodyBytes: gateway.maxProxyBodyBytes,
    maxRequestAnswerBytes: gateway.maxRequestAnswerBytes,
    logger: options.logger,
    localMode: gateway.localMode,
  });
  const intercept = nodeFastPath(runtime, gateway, origins, options.logger);
  const server = await serveFetch(gatewayApp.fetch, {
    port: options.port ?? gateway.port,
    hostname: gateway.host,
    onUpgrade: makeWebSocketUpgrade(runtime, origins, options.logger),
    ...(intercept ? { intercept } : {}),
  });

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      // Log streams end first (clients keep their last id), then requests drain, then previews stop and files close.
      await streams.endAll(runtime);
      await server.close();
      await runtime.dispose();
    })();
    return stopping;
  };
  return { runtime, server, shutdown };
};
