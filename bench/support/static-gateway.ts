/**
 * The real gateway (serveGateway, default GATEWAY_* settings) in front of an origin the
 * orchestrator does not run, for bench/proxy.ts's
 * outside-origin measurement. Only the preview directory is the bench's own: it knows one fixed
 * route. Everything on the request path is the production code.
 */
import { createHash } from "node:crypto";
import { ConfigProvider, Effect, Layer } from "effect";
import { GenerationNotFound } from "../../libs/generations/errors.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import type { PreviewRoute } from "../../libs/previews/contract.ts";
import { PreviewDirectory } from "../../libs/previews/directory.ts";
import { PreviewNotFound } from "../../libs/previews/errors.ts";
import { serveGateway } from "../../services/gateway/serve-gateway.ts";

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
  // A DNS label, as preview ids are: the gateway also serves it at {id}.preview.localhost.
  const previewId = "benchnodeorigin";
  const previewToken = "bench-preview-token";
  const route: PreviewRoute = {
    previewInstanceId: previewId,
    generationId: "bench-generation",
    userId: "bench-user",
    status: "running",
    upstream: { kind: "tcp", host: "127.0.0.1", port: originPort },
    previewTokenHash: createHash("sha256").update(previewToken).digest("hex"),
  };
  const service = await serveGateway({
    configProvider: ConfigProvider.fromUnknown({ JWT_SECRET: "bench-jwt-secret-not-used-0123456789", INTERNAL_TOKEN: "bench-internal-token-not-used" }),
    logger,
    port: 0,
    directory: StaticDirectoryForBench(route),
  });
  return { url: `http://127.0.0.1:${service.server.port}`, previewId, previewToken, shutdown: service.shutdown };
};
