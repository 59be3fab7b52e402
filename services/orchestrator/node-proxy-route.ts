import type { Context as HonoContext } from "hono";
import { Effect } from "effect";
import type { AppEnv } from "../../libs/http/app-env.ts";
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
 */
export const relayToLocalPreview = (c: HonoContext<AppEnv>) => Effect.gen(function* () {
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
