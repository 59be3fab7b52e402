import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { Effect } from "effect";
import { requireUser } from "../../libs/auth/middleware.ts";
import type { AppEnv } from "../../libs/http/app-env.ts";
import { clientAddress } from "../../libs/http/client-address.ts";
import type { Origins } from "../../libs/config/origins.ts";
import { errorResponse } from "../../libs/http/error-envelope.ts";
import { describeFailure } from "../../libs/http/error-mapping.ts";
import { UnknownHost } from "../../libs/http/request-errors.ts";
import { installFallbacks, type Route } from "../../libs/http/effect-bridge.ts";
import { decodeJsonBody } from "../../libs/http/json-body.ts";
import { requestContext } from "../../libs/http/request-context.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { endToEndHeaders } from "../../libs/proxy/headers.ts";
import { UpstreamClient } from "../../libs/proxy/upstream-client.ts";
import type { PreviewDirectory } from "../../libs/previews/directory.ts";
import { PreviewRequestBody } from "../../libs/previews/request-schema.ts";
import type { Upstream } from "../../libs/runtime/contract.ts";
import { openApiDocument } from "./openapi.ts";
import { PreviewProxy, splitPreviewPath } from "./preview-proxy.ts";
import { sendPreviewRequest } from "./preview-request.ts";
import { makeWebApp } from "../web/app.ts";
import { noRoute } from "../../libs/http/not-found.ts";
import { forwardingHeaderNames, forwardingHeaderPairs, schemeOf } from "../../libs/proxy/forwarding.ts";

/**
 * Where the gateway sends a public API request: the owning service over HTTP (split deployment),
 * or that service's app in this very process (all-in-one).
 */
export type ApiBackend =
  | { readonly kind: "upstream"; readonly upstream: Upstream }
  | { readonly kind: "in-process"; readonly fetch: (request: Request) => Response | Promise<Response> };

export interface GatewayAppOptions {
  readonly run: (route: Route<PreviewProxy | PreviewDirectory | UpstreamClient>) => (c: Context<AppEnv>) => Promise<Response>;
  readonly orchestrator: ApiBackend;
  readonly logs: ApiBackend;
  readonly jwtSecret: string;
  /** The platform's origin and the previews' (routing by Host). */
  readonly origins: Origins;
  /** Origins allowed to call the API from a browser (never a preview's). */
  readonly corsOrigins: ReadonlyArray<string>;
  readonly upstreamTimeoutMs: number;
  readonly apiTimeoutMs: number;
  readonly maxBodyBytes: number;
  /** Route 5 reads a preview's answer up to this many bytes (`truncated: true` past it). */
  readonly maxRequestAnswerBytes: number;
  readonly logger: Logger;
  /** Serves POST /api/dev/token for the page (see services/web/app.ts); off by default. */
  readonly localMode?: boolean;
}

/** Headers the gateway sets itself on a forwarded API request; a client's own are dropped. */
const setByGateway: ReadonlySet<string> = new Set(["x-request-id", ...forwardingHeaderNames]);

export const backendOfUrl = (url: string): ApiBackend => {
  const u = new URL(url);
  return { kind: "upstream", upstream: { kind: "tcp", host: u.hostname, port: Number(u.port || (u.protocol === "https:" ? 443 : 80)) } };
};

/**
 * The public entry: by the request's Host, either a preview's own origin (everything goes to that
 * preview), or the platform's (the page, the API routed to its services, `/p/{id}/...` for
 * programmatic clients). Any other Host is refused: a DNS-rebound name never reaches a route.
 */
export const makeGatewayApp = (o: GatewayAppOptions) => {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext(o.logger));
  installFallbacks(app, o.logger);
  const previewOrigin = o.run((c) => Effect.gen(function* () {
    const url = new URL(c.req.url);
    const previewInstanceId = o.origins.previewIdOfHost(c.req.header("host")) ?? "";
    return yield* (yield* PreviewProxy).forward(c, { previewInstanceId, path: url.pathname + url.search });
  }));
  app.use("*", async (c, next) => {
    const host = c.req.header("host");
    if (o.origins.previewIdOfHost(host) !== undefined) return previewOrigin(c);
    if (!o.origins.isPlatformHost(host)) return errorResponse(c.get("requestId"), describeFailure(new UnknownHost({ host: (host ?? "").slice(0, 200) })));
    return next();
  });
  app.get("/healthz", (c) => c.json({ ok: true, service: "gateway" }));
  if (o.corsOrigins.length > 0) {
    app.use("/api/*", cors({ origin: [...o.corsOrigins], allowHeaders: ["authorization", "content-type", "last-event-id"], exposeHeaders: ["x-request-id"], maxAge: 600 }));
  }
  // This API as OpenAPI 3.1 (no auth: it describes, it holds nothing); the web app serves the interactive reference over it at /api/reference.
  app.get("/api/openapi.json", (c) => c.json(openApiDocument(o.origins.platform)));
  // Internal routes exist only between services; from outside they do not exist at all.
  app.all("/internal/*", noRoute);
  // The Preview Tab page at `/` (and its dev-only sign-in route in local mode).
  app.route("/", makeWebApp({ localMode: o.localMode ?? false, jwtSecret: o.jwtSecret }));

  /** Streams a public API request to the service that owns it, and its answer back, unbuffered. */
  const forwardTo = (backend: ApiBackend) => o.run((c) => Effect.gen(function* () {
    const url = new URL(c.req.url);
    const headers = endToEndHeaders(c.req.raw.headers, setByGateway);
    // Our services see only the peer, never a client's claimed X-Forwarded-For.
    headers.push(["x-request-id", c.get("requestId")], ...forwardingHeaderPairs({
      client: clientAddress(c), earlierFor: undefined, host: url.host, proto: schemeOf(o.origins.platform), prefix: undefined,
    }));
    if (backend.kind === "in-process") {
      const body = c.req.raw.body;
      const request = new Request(url, { method: c.req.method, headers, signal: c.req.raw.signal, ...(body === null ? {} : { body, duplex: "half" }) });
      return yield* Effect.promise(async () => backend.fetch(request));
    }
    return yield* (yield* UpstreamClient).send(backend.upstream, {
      method: c.req.method,
      path: url.pathname + url.search,
      headers,
      body: c.req.raw.body,
      signal: c.req.raw.signal,
      timeoutMs: o.apiTimeoutMs,
      maxBodyBytes: o.maxBodyBytes,
    });
  }));

  app.post("/api/generations/:generationId/preview/request", requireUser(o.jwtSecret), o.run((c) => Effect.gen(function* () {
    const body = yield* decodeJsonBody(c.req.raw, PreviewRequestBody, 16 * 1024 * 1024);
    const limits = { timeoutMs: o.upstreamTimeoutMs, maxAnswerBytes: o.maxRequestAnswerBytes };
    return Response.json(yield* sendPreviewRequest(c.get("userId"), c.req.param("generationId") ?? "", body, limits, c.req.raw.signal));
  })));
  const toLogs = forwardTo(o.logs);
  app.all("/api/generations/:generationId/preview/logs", toLogs);
  app.all("/api/generations/:generationId/preview/logs/*", toLogs);
  const toOrchestrator = forwardTo(o.orchestrator);
  const stopPreview = o.run((c) => Effect.gen(function* () {
    // The proxy must not keep sending traffic to a preview that is being stopped, nor to the
    // process a live reload replaced (on the host runtime its port changes).
    const { cache } = yield* PreviewProxy;
    const generationId = c.req.param("generationId") ?? "";
    cache.invalidateGeneration(generationId);
    const response = yield* Effect.promise(() => toOrchestrator(c));
    cache.invalidateGeneration(generationId);
    return response;
  }));
  app.delete("/api/generations/:generationId/preview", stopPreview);
  // A live reload answers once the new version serves at the same address, but connections the
  // proxy keeps alive still reach the version it replaced: they are let go before the answer leaves.
  app.post("/api/generations/:generationId/preview/reload", o.run((c) => Effect.gen(function* () {
    const response = yield* Effect.promise(() => stopPreview(c));
    if (response.status !== 200) return response;
    const body = yield* Effect.promise(() => response.clone().json().catch(() => undefined) as Promise<{ previewInstanceId?: unknown } | undefined>);
    if (typeof body?.previewInstanceId !== "string") return response;
    // Through the route cache: the new version's route is then cached for the requests that follow.
    const route = yield* (yield* PreviewProxy).cache.get(body.previewInstanceId).pipe(Effect.option);
    if (route._tag === "Some" && route.value.upstream !== null) yield* (yield* UpstreamClient).retire(route.value.upstream);
    return response;
  })));
  app.all("/api/*", toOrchestrator);

  // `/p/{id}/...` on the platform's origin: programmatic clients with X-Preview-Token only (preview-proxy.ts).
  const proxy = o.run((c) => Effect.gen(function* () {
    const url = new URL(c.req.url);
    const { id, rest } = splitPreviewPath(url.pathname);
    if (rest === undefined) return Response.redirect(`${url.origin}/p/${id}/${url.search}`, 308);
    return yield* (yield* PreviewProxy).forward(c, { previewInstanceId: id, path: rest + url.search, prefix: `/p/${id}` });
  }));
  app.all("/p/:previewInstanceId", proxy);
  app.all("/p/:previewInstanceId/*", proxy);
  return app;
};
