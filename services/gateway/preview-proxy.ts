import { Context, Effect, Layer, Option } from "effect";
import { RouteInvalidations } from "../../libs/cluster/route-events.ts";
import type { Context as HonoContext } from "hono";
import { setCookie } from "hono/cookie";
import type { AppEnv } from "../../libs/http/app-env.ts";
import { clientAddress } from "../../libs/http/client-address.ts";
import { InvalidPreviewToken, PreviewUnavailable, UpstreamUnreachable } from "../../libs/proxy/errors.ts";
import { endToEndHeaders, type HeaderPairs } from "../../libs/proxy/headers.ts";
import { UpstreamClient } from "../../libs/proxy/upstream-client.ts";
import { PreviewDirectory } from "../../libs/previews/directory.ts";
import type { PeerUnavailable } from "../../libs/peers/errors.ts";
import { internalTokenHeader, type ProxyUpstream, relayPathHeader } from "../../libs/proxy/node-relay.ts";
import { PlatformSecrets } from "../../libs/auth/platform-secrets.ts";
import type { Origins } from "../../libs/config/origins.ts";
import { forwardingHeaderNames, forwardingHeaderPairs, previewProto } from "../../libs/proxy/forwarding.ts";
import { type ActivityReporter, startActivityReporter } from "./activity.ts";
import { makeRouteCache, type RouteCache } from "./route-cache.ts";
import { type ProxyRoute, routeResolver } from "./relay-routes.ts";
import { cookiesForPreview, presentedToken, previewTokenCookie, previewTokenHeader, previewTokenQuery, tokenMatches } from "./preview-token.ts";

export interface PreviewProxyOptions {
  readonly upstreamTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly routeCacheMs: number;
  readonly activityFlushMs: number;
  /** GATEWAY_NODE_ID: the runner node this gateway runs beside; previews on others are reached through their node. */
  readonly node: string | undefined;
}

/**
 * The platform's own headers: its preview token, and the forwarding headers it sets itself (a
 * client's are not believed). The app's own Authorization and cookies are not among them: on its
 * own origin they are the app's, and reach it (the hand-off cookie is taken out of Cookie alone).
 */
export const platformOnlyHeaders: ReadonlySet<string> = new Set([previewTokenHeader, ...forwardingHeaderNames, internalTokenHeader, relayPathHeader]);
/** Dropped from the incoming headers and sent again rewritten: the platform's own, and Cookie (minus the hand-off cookie). */
export const rewrittenHeaders: ReadonlySet<string> = new Set([...platformOnlyHeaders, "cookie"]);

/** Where a proxied request came in: the preview's own origin, or `/p/{id}/` on the platform's (programmatic clients). */
export interface PreviewTarget {
  readonly previewInstanceId: string;
  /** The path (and query) the preview sees. */
  readonly path: string;
  /** Set for `/p/{id}/...`: sent as X-Forwarded-Prefix; only X-Preview-Token authorises there. */
  readonly prefix?: string;
}

const forwardedHeaders = (c: HonoContext<AppEnv>, origins: Origins, previewInstanceId: string, prefix: string | undefined): HeaderPairs => {
  const headers = endToEndHeaders(c.req.raw.headers, rewrittenHeaders);
  const cookies = cookiesForPreview(c.req.header("cookie"));
  if (cookies !== undefined) headers.push(["cookie", cookies]);
  const url = new URL(c.req.url);
  headers.push(...forwardingHeaderPairs({
    client: clientAddress(c),
    earlierFor: c.req.header("x-forwarded-for"),
    host: c.req.header("host") ?? url.host,
    proto: previewProto(origins, previewInstanceId, prefix),
    prefix,
  }));
  if (c.req.header("host") === undefined) headers.push(["host", url.host]);
  return headers;
};

/** The transparent proxy to running previews, and what the JSON request route and WebSockets share with it. */
export class PreviewProxy extends Context.Service<PreviewProxy, {
  readonly origins: Origins;
  readonly cache: RouteCache;
  readonly activity: ActivityReporter;
  /** A running preview's route, or PreviewUnavailable. */
  readonly running: (previewInstanceId: string) => Effect.Effect<ProxyRoute & { readonly upstream: ProxyUpstream }, PreviewUnavailable | PeerUnavailable>;
  /** Checks the preview token a request presents. */
  readonly authorize: (route: ProxyRoute, token: string | undefined) => Effect.Effect<void, InvalidPreviewToken>;
  /** Proxies one request to the preview `target` names (the hand-off included); redirects a browser from `/p/{id}/` to the preview's origin. */
  readonly forward: (c: HonoContext<AppEnv>, target: PreviewTarget) => Effect.Effect<Response, import("../../libs/http/error-mapping.ts").ApiFailure>;
  /** The upstream refused: PreviewUnavailable if the preview has stopped meanwhile, else the refusal itself. */
  readonly unreachable: (previewInstanceId: string, e: UpstreamUnreachable) => Effect.Effect<never, UpstreamUnreachable | PreviewUnavailable | PeerUnavailable>;
}>()("gateway/PreviewProxy") {}

/** `/p/{id}/rest` → id and rest; rest is undefined for a bare `/p/{id}`. */
export const splitPreviewPath = (pathname: string) => {
  const match = /^\/p\/([^/]+)(\/.*)?$/.exec(pathname);
  return { id: match?.[1] ?? "", rest: match?.[2] };
};

/** A path and query with any `previewToken` parameter taken out: a platform credential the app never sees. */
const withoutHandoffToken = (path: string): string => {
  if (!path.includes(`${previewTokenQuery}=`)) return path;
  const url = new URL(path, "http://preview");
  url.searchParams.delete(previewTokenQuery);
  return url.pathname + url.search;
};

export const PreviewProxyLive = (options: PreviewProxyOptions, origins: Origins) =>
  Layer.effect(
    PreviewProxy,
    Effect.gen(function* () {
      const directory = yield* PreviewDirectory;
      const upstreams = yield* UpstreamClient;
      const secrets = yield* Effect.serviceOption(PlatformSecrets);
      if (options.node !== undefined && Option.isNone(secrets)) {
        return yield* Effect.die(new Error("GATEWAY_NODE_ID is set but the gateway has no internal token to reach other nodes with"));
      }
      const placement = options.node === undefined || Option.isNone(secrets) ? undefined : { node: options.node, internalToken: secrets.value.internalToken };
      const cache = makeRouteCache(directory, options.routeCacheMs, routeResolver(placement));
      // Route changes anywhere in the cluster (NATS_URL) drop the cached entry at once.
      const invalidations = yield* Effect.serviceOption(RouteInvalidations);
      if (Option.isSome(invalidations)) yield* invalidations.value.onChange(cache.invalidate);
      const activity = yield* startActivityReporter(directory, options.activityFlushMs);

      const running = (previewInstanceId: string) =>
        cache.get(previewInstanceId).pipe(
          // No such preview is one not running; an orchestrator that did not answer stays that (a 503 to retry).
          Effect.catchTag("PreviewNotFound", () => Effect.fail(new PreviewUnavailable({ previewInstanceId }))),
          Effect.flatMap((route) => {
            const upstream = route.upstream;
            if (route.status === "running" && upstream !== null) return Effect.succeed({ ...route, upstream });
            cache.invalidate(previewInstanceId);
            return Effect.fail(new PreviewUnavailable({ previewInstanceId }));
          }),
        );

      const authorize = (route: ProxyRoute, token: string | undefined) =>
        token === undefined
          ? Effect.fail(new InvalidPreviewToken({ reason: "A preview token is required (X-Preview-Token, or open the preview URL with ?previewToken=)" }))
          : tokenMatches(token, route.previewTokenHash) ? Effect.void : Effect.fail(new InvalidPreviewToken({ reason: "The preview token does not belong to this preview" }));

      // Refused: the preview may just have stopped; ask again rather than trust the cache.
      const unreachable = (previewInstanceId: string, e: UpstreamUnreachable) => {
        cache.invalidate(previewInstanceId);
        return running(previewInstanceId).pipe(Effect.andThen(Effect.fail(e)));
      };

      const forward = (c: HonoContext<AppEnv>, target: PreviewTarget) =>
        Effect.gen(function* () {
          const url = new URL(c.req.url);
          const id = target.previewInstanceId;
          const headerToken = c.req.header(previewTokenHeader);
          if (target.prefix !== undefined && headerToken === undefined) {
            // No cookie is accepted on the platform's origin: a browser is sent to the preview's own.
            if (c.req.method === "GET" || c.req.method === "HEAD") return Response.redirect(`${origins.previewOrigin(id)}${target.path}`, 307);
            return yield* Effect.fail(new InvalidPreviewToken({ reason: `Send X-Preview-Token to /p/${id}/..., or use the preview's own origin ${origins.previewOrigin(id)}` }));
          }
          const route = yield* running(id);

          const handoff = url.searchParams.get(previewTokenQuery);
          if (target.prefix === undefined && handoff !== null && c.req.method === "GET") {
            yield* authorize(route, handoff);
            url.searchParams.delete(previewTokenQuery);
            // Host-only (no Domain): the cookie belongs to this preview's origin alone.
            setCookie(c, previewTokenCookie, handoff, { path: "/", httpOnly: true, sameSite: "Lax", secure: url.protocol === "https:" });
            return c.redirect(`${url.pathname}${url.search}`, 302);
          }
          yield* authorize(route, target.prefix === undefined ? presentedToken(c) : headerToken);

          activity.record(id);
          return yield* upstreams.send(route.upstream, {
            method: c.req.method,
            path: withoutHandoffToken(target.path),
            headers: forwardedHeaders(c, origins, id, target.prefix),
            body: c.req.raw.body,
            signal: c.req.raw.signal,
            timeoutMs: options.upstreamTimeoutMs,
            maxBodyBytes: options.maxBodyBytes,
          }).pipe(Effect.catchTag("UpstreamUnreachable", (e) => unreachable(id, e)));
        });

      return PreviewProxy.of({ origins, cache, activity, running, authorize, forward, unreachable });
    }),
  );
