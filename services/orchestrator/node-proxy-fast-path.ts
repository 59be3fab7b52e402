import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Effect, Exit, type ManagedRuntime, Option } from "effect";
import { nanoid } from "nanoid";
import type { Dispatcher } from "undici";
import { acceptableRequestId } from "../../libs/http/request-context.ts";
import { PayloadTooLarge } from "../../libs/http/request-errors.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { PreviewUnavailable } from "../../libs/proxy/errors.ts";
import { hopByHopHeaders } from "../../libs/proxy/headers.ts";
import { internalTokenHeader, relayPathHeader } from "../../libs/proxy/node-relay.ts";
import { PreviewExchange, sendError } from "../../libs/proxy/preview-exchange.ts";
import { UpstreamPools } from "../../libs/proxy/upstream-pools.ts";
import type { Upstream } from "../../libs/runtime/contract.ts";
import { NodeProxy } from "./node-proxy.ts";

const route = /^\/internal\/previews\/([^/?]+)\/proxy$/;
// `expect` is answered by node:http itself (100 Continue), and undici refuses to send it.
const dropped: ReadonlySet<string> = new Set([...hopByHopHeaders, internalTokenHeader, relayPathHeader, "expect"]);

/**
 * The Node fast path of this node's proxy entry (node-proxy.ts): a relayed request with the right
 * internal token goes from node:http straight to the preview's undici pool and back, like the
 * gateway's fast path, so the hop costs about one more proxy and no web-stream or Effect layer.
 * Anything else (no token or a wrong one, no path header, an upgrade) returns false: the
 * internal routes answer it (a wrong token is a 404 there, as on every internal route).
 */
export const nodeProxyFastPath = (runtime: ManagedRuntime.ManagedRuntime<NodeProxy, never>, internalToken: string, logger: Logger) => {
  const { proxy, pools } = runtime.runSync(Effect.gen(function* () {
    return { proxy: yield* NodeProxy, pools: yield* Effect.serviceOption(UpstreamPools) };
  }));
  if (Option.isNone(pools)) return undefined;
  const expected = Buffer.from(internalToken);
  const idPrefix = nanoid(8);
  let counter = 0;
  const unreachable = (id: string, e: import("../../libs/proxy/errors.ts").UpstreamUnreachable) => runtime.runPromise(Effect.flip(proxy.unreachable(id, e)));

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? "";
    if (!url.startsWith("/internal/previews/")) return false;
    const match = route.exec(url);
    if (match === null) return false;
    const raw = req.rawHeaders;
    const forward: string[] = [];
    let token: string | undefined;
    let path: string | undefined;
    let requestId: string | undefined;
    let contentLength: string | undefined;
    let hasBody = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] ?? "";
      const value = raw[i + 1] ?? "";
      const lower = name.toLowerCase();
      if (lower === internalTokenHeader) {
        if (token !== undefined) return false;
        token = value;
      } else if (lower === relayPathHeader) {
        if (path !== undefined) return false;
        path = value;
      } else if (lower === "upgrade") return false;
      else if (lower === "connection" && !/^\s*(keep-alive|close)\s*$/i.test(value)) return false;
      else if (lower === "x-request-id") requestId = value;
      else if (lower === "content-length") {
        if (contentLength !== undefined) return false;
        contentLength = value;
        hasBody = true;
      } else if (lower === "transfer-encoding") hasBody = true;
      if (!dropped.has(lower) && !lower.startsWith("proxy-")) forward.push(name, value);
    }
    if (token === undefined || path === undefined || !path.startsWith("/")) return false;
    const given = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    let id: string;
    try {
      id = decodeURIComponent(match[1] ?? "");
    } catch {
      return false;
    }
    const rid = requestId !== undefined && acceptableRequestId.test(requestId) ? requestId : `${idPrefix}-${(counter++).toString(36)}`;
    const { timeoutMs, maxBodyBytes } = proxy.options;
    if (Number(contentLength ?? 0) > maxBodyBytes) {
      sendError(res, rid, new PayloadTooLarge({ limitBytes: maxBodyBytes }), false);
      req.resume();
      return true;
    }
    const relay = (upstream: Upstream) => {
      const exchange = new PreviewExchange(req, res, {
        previewInstanceId: id, requestId: rid, upstreamTimeoutMs: timeoutMs, maxBodyBytes, logger, unreachable, stampRequestId: false,
      });
      pools.value.poolFor(upstream).dispatch(
        { method: req.method as Dispatcher.HttpMethod, path: path as string, headers: forward, body: exchange.start(hasBody), headersTimeout: timeoutMs, bodyTimeout: 0 },
        exchange,
      );
    };
    const cached = proxy.peek(id);
    if (cached !== undefined) relay(cached);
    else {
      void runtime.runPromiseExit(proxy.local(id)).then((exit) => {
        // The gateway may have gone meanwhile (its client did): nothing to relay for.
        if (res.destroyed) return void req.destroy();
        if (Exit.isSuccess(exit)) return relay(exit.value);
        sendError(res, rid, new PreviewUnavailable({ previewInstanceId: id }), false);
        req.resume();
      });
    }
    return true;
  };
};
