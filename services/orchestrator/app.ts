import { Hono } from "hono";
import { Effect } from "effect";
import { requireInternalToken, requireUser } from "../../libs/auth/middleware.ts";
import { CreateGenerationBody, Generations, ReviseBody } from "../../libs/generations/contract.ts";
import type { FileLimits } from "../../libs/generations/file-limits.ts";
import type { AppEnv } from "../../libs/http/app-env.ts";
import { installFallbacks, type Route } from "../../libs/http/effect-bridge.ts";
import { decodeJsonBody } from "../../libs/http/json-body.ts";
import { decodeParams } from "../../libs/http/query.ts";
import { api as declared } from "../../libs/api/routes.ts";
import { requestContext } from "../../libs/http/request-context.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { ExtendBody, LaunchBody, Previews } from "../../libs/previews/contract.ts";
import { previewListLimits, PreviewListing } from "../../libs/previews/listing.ts";
import { EndpointCatalog } from "./endpoint-catalog.ts";
import { Placement } from "./placement.ts";
import { NodeProxy } from "./node-proxy.ts";
import { relayRequestContext, relayToLocalPreview } from "./node-proxy-route.ts";
import type { UpstreamClient } from "../../libs/proxy/upstream-client.ts";

export interface OrchestratorAppOptions {
  readonly run: (route: Route<Generations | Previews | EndpointCatalog | PreviewListing | Placement | NodeProxy | UpstreamClient>) => (c: import("hono").Context<AppEnv>) => Promise<Response>;
  readonly jwtSecret: string;
  readonly internalToken: string;
  readonly fileLimits: FileLimits;
  readonly logger: Logger;
}

const smallBodyLimit = 64 * 1024;

/** The orchestrator's routes: generations, the preview lifecycle, and its internal activity hook. */
export const makeOrchestratorApp = (o: OrchestratorAppOptions) => {
  const app = new Hono<AppEnv>();
  // This node's previews, for a gateway on another machine (node-proxy.ts): any method, the path in
  // a header. Before the request context, which would answer with a request id of the node's own.
  app.all("/internal/previews/:previewInstanceId/proxy", relayRequestContext, requireInternalToken(o.internalToken), o.run(relayToLocalPreview));
  app.use("*", requestContext(o.logger));
  installFallbacks(app, o.logger);
  app.get("/healthz", (c) => c.json({ ok: true, service: "orchestrator" }));

  // JSON escaping can double a file's size on the wire, hence the headroom over the content limit.
  const uploadLimit = o.fileLimits.maxTotalBytes * 2 + 64 * 1024;

  const api = new Hono<AppEnv>();
  api.use("*", requireUser(o.jwtSecret));
  api.post("/generations", o.run((c) => Effect.gen(function* () {
    const body = yield* decodeJsonBody(c.req.raw, CreateGenerationBody, uploadLimit);
    const created = yield* (yield* Generations).create(c.get("userId"), body);
    return Response.json(created, { status: 201 });
  })));
  api.get("/generations/:generationId", o.run((c) => Effect.gen(function* () {
    return Response.json(yield* (yield* Generations).get(c.get("userId"), c.req.param("generationId") ?? ""));
  })));

  // The caller's previews, newest first; the user id comes from the token, never from the request.
  api.get("/previews", o.run((c) => Effect.gen(function* () {
    const query = yield* decodeParams(declared.listPreviews.query, c.req.query());
    return Response.json(yield* (yield* PreviewListing).list(c.get("userId"), { ...query, limit: query.limit ?? previewListLimits.default }));
  })));

  const preview = "/generations/:generationId/preview";
  const ids = (c: import("hono").Context<AppEnv>) => [c.get("userId"), c.req.param("generationId") ?? ""] as const;
  const launchHere = (userId: string, generationId: string, body: LaunchBody) => Effect.gen(function* () {
    const launched = yield* (yield* Previews).launch(userId, generationId, body);
    return Response.json(launched, { status: body.wait === true ? 200 : 202 });
  });
  // Placed on a node with room (placement.ts): this one, or another that runs it and answers.
  api.post(`${preview}/launch`, o.run((c) => Effect.gen(function* () {
    const body = yield* decodeJsonBody(c.req.raw, LaunchBody, smallBodyLimit);
    yield* (yield* Generations).get(...ids(c));
    const relayed = yield* (yield* Placement).place(...ids(c), body);
    return relayed ?? (yield* launchHere(...ids(c), body));
  })));
  api.get(`${preview}/status`, o.run((c) => Effect.gen(function* () {
    return Response.json(yield* (yield* EndpointCatalog).status(...ids(c)));
  })));
  const endpoints = o.run((c) => Effect.gen(function* () {
    return Response.json(yield* (yield* EndpointCatalog).endpoints(...ids(c)));
  }));
  api.get(`${preview}/endpoints`, endpoints);
  api.get("/generations/:generationId/endpoints", endpoints);
  // A stop or a reload is the business of the node running the preview (another one: relayed there).
  const stopHere = (userId: string, generationId: string) => Effect.gen(function* () {
    return Response.json(yield* (yield* Previews).stop(userId, generationId));
  });
  api.delete(preview, o.run((c) => Effect.gen(function* () {
    yield* (yield* Generations).get(...ids(c));
    return (yield* (yield* Placement).toOwner(...ids(c), { kind: "stop" })) ?? (yield* stopHere(...ids(c)));
  })));
  api.get(`${preview}/config`, o.run((c) => Effect.gen(function* () {
    yield* (yield* Generations).get(...ids(c));
    return Response.json(yield* (yield* Previews).config);
  })));
  const reloadHere = (userId: string, generationId: string, body: ReviseBody) => Effect.gen(function* () {
    return Response.json(yield* (yield* Previews).reload(userId, generationId, body));
  });
  api.post(`${preview}/reload`, o.run((c) => Effect.gen(function* () {
    const body = yield* decodeJsonBody(c.req.raw, ReviseBody, uploadLimit);
    yield* (yield* Generations).get(...ids(c));
    return (yield* (yield* Placement).toOwner(...ids(c), { kind: "reload", body })) ?? (yield* reloadHere(...ids(c), body));
  })));
  api.post(`${preview}/extend`, o.run((c) => Effect.gen(function* () {
    const body = yield* decodeJsonBody(c.req.raw, ExtendBody, smallBodyLimit);
    return Response.json(yield* (yield* Previews).extend(...ids(c), body));
  })));
  app.route("/api", api);

  const internal = new Hono<AppEnv>();
  internal.use("*", requireInternalToken(o.internalToken));
  internal.post("/previews/:previewInstanceId/touch", o.run((c) => Effect.gen(function* () {
    const live = yield* (yield* Previews).touch(c.req.param("previewInstanceId") ?? "");
    return new Response(null, { status: live ? 204 : 404 });
  })));
  internal.get("/previews/:previewInstanceId", o.run((c) => Effect.gen(function* () {
    return Response.json(yield* (yield* Previews).route(c.req.param("previewInstanceId") ?? ""));
  })));
  // The latest preview of a generation, checked against the user a peer acts for.
  internal.get("/generations/:generationId/preview", o.run((c) => Effect.gen(function* () {
    const userId = c.req.query("userId") ?? "";
    return Response.json(yield* (yield* Previews).status(userId, c.req.param("generationId") ?? ""));
  })));
  // A launch another node placed here, for the user it acts for.
  internal.post("/generations/:generationId/preview/launch", o.run((c) => Effect.gen(function* () {
    const body = yield* decodeJsonBody(c.req.raw, LaunchBody, smallBodyLimit);
    return yield* launchHere(c.req.query("userId") ?? "", c.req.param("generationId") ?? "", body);
  })));
  internal.post("/previews/:previewInstanceId/proxy/retire", o.run((c) => Effect.gen(function* () {
    yield* (yield* NodeProxy).retire(c.req.param("previewInstanceId") ?? "");
    return new Response(null, { status: 204 });
  })));
  // A stop or reload another node sent on to this one, which runs the preview (owner-relay.ts).
  internal.delete("/generations/:generationId/preview", o.run((c) => stopHere(c.req.query("userId") ?? "", c.req.param("generationId") ?? "")));
  internal.post("/generations/:generationId/preview/reload", o.run((c) => Effect.gen(function* () {
    const body = yield* decodeJsonBody(c.req.raw, ReviseBody, uploadLimit);
    return yield* reloadHere(c.req.query("userId") ?? "", c.req.param("generationId") ?? "", body);
  })));
  app.route("/internal", internal);
  return app;
};
