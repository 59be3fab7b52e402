import { Context, Effect, Layer } from "effect";
import type { Context as HonoContext } from "hono";
import { setCookie } from "hono/cookie";
import type { AppEnv } from "../../libs/http/app-env.ts";
import { clientAddress } from "../../libs/http/client-address.ts";
import { InvalidPreviewToken, PreviewUnavailable, UpstreamUnreachable } from "../../libs/proxy/errors.ts";
import { endToEndHeaders, type HeaderPairs } from "../../libs/proxy/headers.ts";
import { UpstreamClient } from "../../libs/proxy/upstream-client.ts";
import type { PreviewRoute } from "../../libs/previews/contract.ts";
import { PreviewDirectory } from "../../libs/previews/directory.ts";
import type { Upstream } from "../../libs/runtime/contract.ts";
import { type ActivityReporter, startActivityReporter } from "./activity.ts";
import { makeRouteCache, type RouteCache } from "./route-cache.ts";
import { cookiesForPreview, presentedToken, previewTokenCookie, previewTokenHeader, previewTokenQuery, tokenMatches } from "./preview-token.ts";

export interface PreviewProxyOptions {
  readonly upstreamTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly routeCacheMs: number;
  readonly activityFlushMs: number;
}

/** Headers the platform uses for itself; a preview never sees them. */
export const platformOnlyHeaders: ReadonlySet<string> = new Set(["authorization", previewTokenHeader, "cookie", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix"]);

const forwardedHeaders = (c: HonoContext<AppEnv>, prefix: string): HeaderPairs => {
  const headers = endToEndHeaders(c.req.raw.headers, platformOnlyHeaders);
  const cookies = cookiesForPreview(c.req.header("cookie"));
  if (cookies !== undefined) headers.push(["cookie", cookies]);
  const url = new URL(c.req.url);
  const client = clientAddress(c);
  const earlier = c.req.header("x-forwarded-for");
  if (client !== undefined) headers.push(["x-forwarded-for", earlier === undefined ? client : `${earlier}, ${client}`]);
  headers.push(["x-forwarded-host", c.req.header("host") ?? url.host], ["x-forwarded-proto", url.protocol.replace(":", "")], ["x-forwarded-prefix", prefix]);
  if (c.req.header("host") === undefined) headers.push(["host", url.host]);
  return headers;
};

/** The transparent proxy to running previews, and what the JSON request route and WebSockets share with it. */
export class PreviewProxy extends Context.Service<PreviewProxy, {
  readonly cache: RouteCache;
  readonly activity: ActivityReporter;
  /** A running preview's route, or PreviewUnavailable. */
  readonly running: (previewInstanceId: string) => Effect.Effect<PreviewRoute & { readonly upstream: Upstream }, PreviewUnavailable>;
  /** Checks the preview token a request presents. */
  readonly authorize: (route: PreviewRoute, token: string | undefined) => Effect.Effect<void, InvalidPreviewToken>;
  readonly forward: (c: HonoContext<AppEnv>) => Effect.Effect<Response, import("../../libs/http/error-mapping.ts").ApiFailure>;
  /** The upstream refused: PreviewUnavailable if the preview has stopped meanwhile, else the refusal itself. */
  readonly unreachable: (previewInstanceId: string, e: UpstreamUnreachable) => Effect.Effect<never, UpstreamUnreachable | PreviewUnavailable>;
}>()("gateway/PreviewProxy") {}

/** `/p/{id}/rest` → id and rest; rest is undefined for a bare `/p/{id}`. */
export const splitPreviewPath = (pathname: string) => {
  const match = /^\/p\/([^/]+)(\/.*)?$/.exec(pathname);
  return { id: match?.[1] ?? "", rest: match?.[2] };
};

export const PreviewProxyLive = (options: PreviewProxyOptions) =>
  Layer.effect(
    PreviewProxy,
    Effect.gen(function* () {
      const directory = yield* PreviewDirectory;
      const upstreams = yield* UpstreamClient;
      const cache = makeRouteCache(directory, options.routeCacheMs);
      const activity = yield* startActivityReporter(directory, options.activityFlushMs);

      const running = (previewInstanceId: string) =>
        cache.get(previewInstanceId).pipe(
          Effect.mapError(() => new PreviewUnavailable({ previewInstanceId })),
          Effect.flatMap((route) => {
            const upstream = route.upstream;
            if (route.status === "running" && upstream !== null) return Effect.succeed({ ...route, upstream });
            cache.invalidate(previewInstanceId);
            return Effect.fail(new PreviewUnavailable({ previewInstanceId }));
          }),
        );

      const authorize = (route: PreviewRoute, token: string | undefined) =>
        token === undefined
          ? Effect.fail(new InvalidPreviewToken({ reason: "A preview token is required (X-Preview-Token, or open the preview URL with ?previewToken=)" }))
          : tokenMatches(token, route.previewTokenHash) ? Effect.void : Effect.fail(new InvalidPreviewToken({ reason: "The preview token does not belong to this preview" }));

      // Refused: the preview may just have stopped; ask again rather than trust the cache.
      const unreachable = (previewInstanceId: string, e: UpstreamUnreachable) => {
        cache.invalidate(previewInstanceId);
        return running(previewInstanceId).pipe(Effect.andThen(Effect.fail(e)));
      };

      const forward = (c: HonoContext<AppEnv>) =>
        Effect.gen(function* () {
          const url = new URL(c.req.url);
          const { id, rest } = splitPreviewPath(url.pathname);
          const prefix = `/p/${id}`;
          if (rest === undefined) return Response.redirect(`${url.origin}${prefix}/${url.search}`, 308);
          const route = yield* running(id);

          const handoff = url.searchParams.get(previewTokenQuery);
          if (handoff !== null && c.req.method === "GET") {
            yield* authorize(route, handoff);
            url.searchParams.delete(previewTokenQuery);
            setCookie(c, previewTokenCookie, handoff, { path: `${prefix}/`, httpOnly: true, sameSite: "Lax", secure: url.protocol === "https:" });
            return c.redirect(`${prefix}${rest}${url.search}`, 302);
          }
          yield* authorize(route, presentedToken(c));

          activity.record(id);
          return yield* upstreams.send(route.upstream, {
            method: c.req.method,
            path: rest + url.search,
            headers: forwardedHeaders(c, prefix),
            body: c.req.raw.body,
            signal: c.req.raw.signal,
            timeoutMs: options.upstreamTimeoutMs,
            maxBodyBytes: options.maxBodyBytes,
          }).pipe(Effect.catchTag("UpstreamUnreachable", (e) => unreachable(id, e)));
        });

      return PreviewProxy.of({ cache, activity, running, authorize, forward, unreachable });
    }),
  );
