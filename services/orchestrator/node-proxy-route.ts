import type { Context as HonoContext, MiddlewareHandler } from "hono";
import { Effect } from "effect";
import { nanoid } from "nanoid";
import type { AppEnv } from "../../libs/http/app-env.ts";
import { errorBody } from "../../libs/http/error-envelope.ts";
import { describeFailure } from "../../libs/http/error-mapping.ts";
import { acceptableRequestId } from "../../libs/http/request-context.ts";
import { InvalidRequest } from "../../libs/http/request-errors.ts";
import { endToEndHeaders } from "../../libs/proxy/headers.ts";
import { internalTokenHeader, relayPathHeader } from "../../libs/proxy/node-relay.ts";
import { UpstreamClient } from "../../libs/proxy/upstream-client.ts";
import { NodeProxy } from "./node-proxy.ts";

/** The relay's own headers: for this hop only, never passed to the preview. */
const relayOnly: ReadonlySet<string> = new Set([internalTokenHeader, relayPathHeader]);

/** The preview's path, as the gateway's relay header gives it: absolute. */
export const relayedPath = (value: string | undefined): string | InvalidRequest =>
  value === undefined || !value.startsWith("/")
    ? new InvalidRequest({ message: `The relay needs one ${relayPathHeader} header with the preview's absolute path`, details: { field: "headers", header: relayPathHeader } })
    : value;

/**
 * A request a gateway on another machine relays to one of this node's previews (the internal
 * token already checked), streamed to the preview's address here and its answer streamed back.
 * The gateway has already authorised it and set what the preview sees (forwarding headers, Host).
 * The Node fast path (node-proxy-fast-path.ts) serves these first; this route serves them on Deno.
 * Its answers, errors included, carry no request id header of the node's own: the gateway adds the
 * one the client sees (its fast path appends, so a second would reach the client).
 */
const relay = (c: HonoContext<AppEnv>) => Effect.gen(function* () {
  const proxy = yield* NodeProxy;
  const id = c.req.param("previewInstanceId") ?? "";
  const path = relayedPath(c.req.header(relayPathHeader));
  if (typeof path !== "string") return yield* Effect.fail(path);
  const upstream = yield* proxy.local(id);
  const response = yield* (yield* UpstreamClient).send(upstream, {
    method: c.req.method,
    path,
    headers: endToEndHeaders(c.req.raw.headers, relayOnly),
    body: c.req.raw.body,
    signal: c.req.raw.signal,
    timeoutMs: proxy.options.timeoutMs,
    maxBodyBytes: proxy.options.maxBodyBytes,
  }).pipe(Effect.catchTag("UpstreamUnreachable", (e) => proxy.unreachable(id, e)));
  return response;
});

export const relayToLocalPreview = (c: HonoContext<AppEnv>) =>
  relay(c).pipe(Effect.catch((e) => {
    const d = describeFailure(e);
    return Effect.succeed(Response.json(errorBody(c.get("requestId"), d), { status: d.status, ...(d.headers === undefined ? {} : { headers: d.headers }) }));
  }));

/** The request id for the relay's error bodies and logs (the gateway's, when it sent one), set without answering with it. */
export const relayRequestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = c.req.header("x-request-id");
  c.set("requestId", incoming !== undefined && acceptableRequestId.test(incoming) ? incoming : nanoid(16));
  await next();
};
