import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { nanoid } from "nanoid";
import type { Dispatcher } from "undici";
import { acceptableRequestId } from "../../libs/http/request-context.ts";
import { PayloadTooLarge } from "../../libs/http/request-errors.ts";
import type { Origins } from "../../libs/config/origins.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { forwardingHeaders, schemeOf } from "../../libs/proxy/forwarding.ts";
import { relayHeaders, relayRoute } from "../../libs/proxy/node-relay.ts";
import type { UpstreamPools } from "../../libs/proxy/upstream-pools.ts";
import type { ActivityReporter } from "./activity.ts";
import { readFastRequestHeaders } from "./fast-request-headers.ts";
import { type ExchangeContext, PreviewExchange, sendError } from "../../libs/proxy/preview-exchange.ts";
import { cookieMayAuthorize, tokenMatches } from "./preview-token.ts";
import type { RouteCache } from "./route-cache.ts";
import type { ProxyRoute } from "./relay-routes.ts";

export interface FastProxyOptions {
  readonly origins: Origins;
  readonly cache: RouteCache;
  readonly activity: ActivityReporter;
  readonly pools: UpstreamPools["Service"];
  readonly unreachable: ExchangeContext["unreachable"];
  readonly upstreamTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

/** The Host header's value, read from rawHeaders without building `req.headers`; undefined if absent or repeated. */
const hostOf = (raw: ReadonlyArray<string>): string | undefined => {
  let host: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? "";
    if (name.length === 4 && name.toLowerCase() === "host") {
      if (host !== undefined) return undefined;
      host = raw[i + 1];
    }
  }
  return host;
};

/**
 * The Node fast path of the preview proxy: a request to a preview (on its origin, or `/p/{id}/` on
 * the platform's with X-Preview-Token) whose route is cached and whose token is good goes from
 * node:http's server straight to the preview's undici pool and back (preview-exchange.ts),
 * skipping the web-stream, Request and Effect layers (bench/proxy.ts measured them at ~3×
 * http-proxy's CPU per request). Anything else — an unknown Host, a cache miss, a bad token, the
 * hand-off, `/p/{id}` without a slash, an upgrade or an unusual header (fast-request-headers.ts) —
 * returns false and goes through the full handler, which answers it and fills the cache.
 */
export const makeNodeFastProxy = (o: FastProxyOptions) => {
  // A token once checked against its hash is remembered on the cached route: later requests
  // compare bytes (in constant time) instead of hashing again, and it goes when the route goes.
  const tokenIsGood = (entry: { readonly route: ProxyRoute; verifiedToken?: Buffer }, token: string): boolean => {
    const given = Buffer.from(token);
    const known = entry.verifiedToken;
    if (known !== undefined && known.length === given.length && timingSafeEqual(known, given)) return true;
    if (!tokenMatches(token, entry.route.previewTokenHash)) return false;
    entry.verifiedToken = given;
    return true;
  };
  // Unique per process and cheap: a random prefix and a counter.
  const idPrefix = nanoid(8);
  let counter = 0;
  const nextRequestId = () => `${idPrefix}-${(counter++).toString(36)}`;
  const previewScheme = schemeOf(o.origins.previewOrigin("id"));
  const platformScheme = schemeOf(o.origins.platform);

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? "";
    const host = hostOf(req.rawHeaders);
    let id = o.origins.previewIdOfHost(host);
    let path = url;
    let prefix: string | undefined;
    if (id === undefined) {
      if (!url.startsWith("/p/") || !o.origins.isPlatformHost(host)) return false;
      const slash = url.indexOf("/", 3);
      if (slash === -1) return false;
      id = url.slice(3, slash);
      path = url.slice(slash);
      prefix = `/p/${id}`;
    } else if (!url.startsWith("/")) return false;
    if (path.includes("previewToken=")) return false;
    const entry = o.cache.peek(id);
    if (entry === undefined) return false;
    const { route } = entry;
    if (route.status !== "running" || route.upstream === null) return false;
    const headers = readFastRequestHeaders(req.rawHeaders);
    if (headers === undefined) return false;
    // On the platform's origin only the header authorises; on the preview's, the hand-off cookie too (preview-token.ts).
    const token = headers.headerToken
      ?? (prefix === undefined && cookieMayAuthorize(headers.secFetchSite, headers.secFetchMode) ? headers.cookieToken : undefined);
    if (token === undefined || !tokenIsGood(entry, token)) return false;
    const requestId = headers.requestId !== undefined && acceptableRequestId.test(headers.requestId) ? headers.requestId : nextRequestId();
    if (Number(headers.contentLength ?? 0) > o.maxBodyBytes) {
      sendError(res, requestId, new PayloadTooLarge({ limitBytes: o.maxBodyBytes }));
      req.resume();
      return true;
    }

    const forward = headers.forward;
    forward.push(...forwardingHeaders({
      client: req.socket.remoteAddress, earlierFor: headers.forwardedFor, host: headers.host ?? "", proto: prefix === undefined ? previewScheme : platformScheme, prefix,
    }));
    const exchange = new PreviewExchange(req, res, {
      previewInstanceId: id, requestId, upstreamTimeoutMs: o.upstreamTimeoutMs, maxBodyBytes: o.maxBodyBytes, logger: o.logger, unreachable: o.unreachable,
    });
    // A preview on another node: one hop to that node's proxy, the path in a header (node-relay.ts).
    const upstream = route.upstream;
    if (upstream.kind === "node") forward.push(...relayHeaders(upstream, path));
    o.pools.poolFor(upstream).dispatch(
      {
        method: req.method as Dispatcher.HttpMethod,
        path: upstream.kind === "node" ? relayRoute(id) : path,
        headers: forward,
        body: exchange.start(headers.hasBody),
        headersTimeout: o.upstreamTimeoutMs,
        bodyTimeout: 0,
      },
      exchange,
    );
    o.activity.record(id);
    return true;
  };
};
