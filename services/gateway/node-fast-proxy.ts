import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { nanoid } from "nanoid";
import type { Dispatcher } from "undici";
import { PayloadTooLarge } from "../../libs/http/request-errors.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import type { UpstreamPools } from "../../libs/proxy/upstream-pools.ts";
import type { ActivityReporter } from "./activity.ts";
import { connectionNamed, type ExchangeContext, PreviewExchange, sendError } from "./preview-exchange.ts";
import { previewTokenCookie, tokenMatches } from "./preview-token.ts";
import type { RouteCache } from "./route-cache.ts";

export interface FastProxyOptions {
  readonly cache: RouteCache;
  readonly activity: ActivityReporter;
  readonly pools: UpstreamPools["Service"];
  readonly unreachable: ExchangeContext["unreachable"];
  readonly upstreamTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

// RFC 9110 §7.6.1, plus what the platform keeps to itself (see preview-proxy.ts). `expect` is
// answered by node:http itself (100 Continue) and undici refuses to send it.
const dropped = new Set([
  "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect",
  "proxy-authenticate", "proxy-authorization", "authorization", "x-preview-token", "cookie",
  "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix",
]);
const acceptableRequestId = /^[A-Za-z0-9._-]{1,64}$/;

const cookieToken = (cookie: string | undefined): string | undefined => {
  if (cookie === undefined) return undefined;
  for (const part of cookie.split(";")) {
    const p = part.trim();
    if (p.startsWith(`${previewTokenCookie}=`)) return p.slice(previewTokenCookie.length + 1);
  }
  return undefined;
};

/**
 * The Node fast path of the preview proxy: a request to a preview whose route is cached and whose
 * token is good goes from node:http's server straight to the preview's undici pool and back (preview-exchange.ts),
 * skipping the web-stream, Request and Effect layers (bench/proxy.ts measured them at ~3×
 * http-proxy's CPU per request). Anything else — a cache miss, a bad token, the hand-off,
 * `/p/{id}` without a slash — returns false and goes through the full handler, which answers it
 * and fills the cache.
 */
export const makeNodeFastProxy = (o: FastProxyOptions) => {
  // A token once checked against its hash is remembered per preview: later requests compare
  // strings (in constant time) instead of hashing again.
  const verified = new Map<string, Buffer>();
  const tokenIsGood = (id: string, token: string, hash: string): boolean => {
    const given = Buffer.from(token);
    const known = verified.get(id);
    if (known !== undefined && known.length === given.length && timingSafeEqual(known, given)) return true;
    if (!tokenMatches(token, hash)) return false;
    verified.set(id, given);
    return true;
  };
  // Unique per process and cheap: a random prefix and a counter.
  const idPrefix = nanoid(8);
  let counter = 0;
  const nextRequestId = () => `${idPrefix}-${(counter++).toString(36)}`;

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? "";
    if (!url.startsWith("/p/") || req.headers.upgrade !== undefined) return false;
    const slash = url.indexOf("/", 3);
    if (slash === -1) return false;
    const id = url.slice(3, slash);
    const path = url.slice(slash);
    if (path.includes("previewToken=")) return false;
    const route = o.cache.peek(id);
    if (route === undefined || route.status !== "running" || route.upstream === null) return false;
    const token = (req.headers["x-preview-token"] as string | undefined) ?? cookieToken(req.headers.cookie);
    if (token === undefined || !tokenIsGood(id, token, route.previewTokenHash)) return false;
    const incomingId = req.headers["x-request-id"];
    const requestId = typeof incomingId === "string" && acceptableRequestId.test(incomingId) ? incomingId : nextRequestId();
    const started = performance.now();
    if (Number(req.headers["content-length"] ?? 0) > o.maxBodyBytes) {
      sendError(res, requestId, new PayloadTooLarge({ limitBytes: o.maxBodyBytes }));
      req.resume();
      return true;
    }

    const named = connectionNamed(req.headers.connection);
    const headers: string[] = [];
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] ?? "").toLowerCase();
      if (dropped.has(name) || named.has(name) || name.startsWith("proxy-")) continue;
      headers.push(raw[i] ?? "", raw[i + 1] ?? "");
    }
    const cookies = req.headers.cookie?.split(";").map((p) => p.trim()).filter((p) => p !== "" && !p.startsWith(`${previewTokenCookie}=`));
    if (cookies !== undefined && cookies.length > 0) headers.push("cookie", cookies.join("; "));
    const earlier = req.headers["x-forwarded-for"];
    const client = req.socket.remoteAddress ?? "";
    headers.push(
      "x-forwarded-for", typeof earlier === "string" ? `${earlier}, ${client}` : client,
      "x-forwarded-host", req.headers.host ?? "",
      "x-forwarded-proto", "http",
      "x-forwarded-prefix", `/p/${id}`,
    );

    // No body (RFC 9112 §6.3) unless a length or chunked encoding says so.
    const hasBody = req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
    const exchange = new PreviewExchange(req, res, {
      previewInstanceId: id, requestId, upstreamTimeoutMs: o.upstreamTimeoutMs, maxBodyBytes: o.maxBodyBytes, logger: o.logger, unreachable: o.unreachable,
    });
    o.pools.poolFor(route.upstream).dispatch(
      { method: req.method as Dispatcher.HttpMethod, path, headers, body: exchange.start(hasBody), headersTimeout: o.upstreamTimeoutMs, bodyTimeout: 0 },
      exchange,
    );
    o.activity.record(id);
    return true;
  };
};
