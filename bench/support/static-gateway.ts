/**
 * The real gateway (makeGatewayApp + PreviewProxyLive + NodeUpstreamClientLive, default
 * GATEWAY_* settings) in front of an origin the orchestrator does not run, for bench/proxy.ts's
 * outside-origin measurement. Only the preview directory is the bench's own: it knows one fixed
 * route. Everything on the request path is the production code.
 */
import { createHash } from "node:crypto";
import { ConfigProvider, Effect, Layer } from "effect";
import { GenerationNotFound } from "../../libs/generations/errors.ts";
import { makeRouteRunner } from "../../libs/http/effect-bridge.ts";
import { startService } from "../../libs/http/run-service.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { NodeUpstreamClientLive } from "../../libs/proxy/node-upstream-client.ts";
import type { PreviewRoute } from "../../libs/previews/contract.ts";
import { PreviewDirectory } from "../../libs/previews/directory.ts";
import { PreviewNotFound } from "../../libs/previews/errors.ts";
import { makeGatewayApp } from "../../services/gateway/app.ts";
import { gatewayConfig } from "../../services/gateway/config.ts";
import { PreviewProxyLive } from "../../services/gateway/preview-proxy.ts";

/** A PreviewDirectory that knows exactly one running preview, at a fixed upstream. Bench harness only. */
export const StaticDirectoryForBench = (route: PreviewRoute) =>
  Layer.succeed(PreviewDirectory, PreviewDirectory.of({
    route: (id) => (id === route.previewInstanceId ? Effect.succeed(route) : Effect.fail(new PreviewNotFound({ previewInstanceId: id }))),
    latestFor: (_userId, generationId) => Effect.fail(new GenerationNotFound({ generationId })),
    touch: () => Effect.void,
  }));

export interface StaticGateway {
  readonly url: string;
  readonly previewId: string;
  readonly previewToken: string;
  readonly shutdown: () => Promise<void>;
}

export const startStaticGateway = async (originPort: number, logger: Logger): Promise<StaticGateway> => {
  const config = await Effect.runPromise(gatewayConfig.parse(ConfigProvider.fromUnknown({})));
  const previewId = "bench-node-origin";
  const previewToken = "bench-preview-token";
  const route: PreviewRoute = {
    previewInstanceId: previewId,
    generationId: "bench-generation",
    userId: "bench-user",
    status: "running",
    upstream: { kind: "tcp", host: "127.0.0.1", port: originPort },
    previewTokenHash: createHash("sha256").update(previewToken).digest("hex"),
  };
  const directory = StaticDirectoryForBench(route);
  const proxy = PreviewProxyLive({
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    maxBodyBytes: config.maxProxyBodyBytes,
    routeCacheMs: config.routeCacheMs,
    activityFlushMs: config.activityFlushMs,
  }).pipe(Layer.provide(Layer.mergeAll(directory, NodeUpstreamClientLive)));
  const unused = { kind: "tcp" as const, host: "127.0.0.1", port: 9 };
  const service = await startService({
    layer: Layer.mergeAll(proxy, directory, NodeUpstreamClientLive),
    port: 0,
    hostname: "127.0.0.1",
    logger,
    makeFetch: async (runtime) => makeGatewayApp({
      run: makeRouteRunner(runtime, logger),
      orchestrator: unused,
      logs: unused,
      jwtSecret: "bench-jwt-secret-not-used-0123456789",
      corsOrigins: [],
      upstreamTimeoutMs: config.upstreamTimeoutMs,
      apiTimeoutMs: config.apiTimeoutMs,
      maxBodyBytes: config.maxProxyBodyBytes,
      logger,
    }).fetch,
  });
  return { url: `http://127.0.0.1:${service.server.port}`, previewId, previewToken, shutdown: service.shutdown };
};
