import { Effect } from "effect";
import type { PreviewRoute } from "../../libs/previews/contract.ts";
import type { PreviewDirectory } from "../../libs/previews/directory.ts";
import type { ProxyRoute } from "./relay-routes.ts";

interface Entry {
  readonly route: ProxyRoute;
  readonly at: number;
  /** A preview token already checked against the route's hash (the Node fast path's shortcut). */
  verifiedToken?: Buffer;
}

/**
 * A short cache of where previews answer, so the proxy asks the orchestrator at most once per
 * preview per `ttlMs`. Entries go as soon as the preview is known to stop, or are found stale.
 * Each route is kept as `resolve` makes it: reached at its address or through its node.
 */
export const makeRouteCache = (directory: PreviewDirectory["Service"], ttlMs: number, resolve: (route: PreviewRoute) => ProxyRoute) => {
  const entries = new Map<string, Entry>();
  const fresh = (previewInstanceId: string): Entry | undefined => {
    const hit = entries.get(previewInstanceId);
    if (hit === undefined || Date.now() - hit.at < ttlMs) return hit;
    entries.delete(previewInstanceId);
    return undefined;
  };
  return {
    get: (previewInstanceId: string) =>
      Effect.suspend(() => {
        const hit = fresh(previewInstanceId);
        if (hit !== undefined) return Effect.succeed(hit.route);
        return directory.route(previewInstanceId).pipe(
          Effect.map(resolve),
          Effect.tap((route) => Effect.sync(() => entries.set(previewInstanceId, { route, at: Date.now() }))),
        );
      }),
    /** The cached entry if fresh, without asking anyone (the Node fast path's lookup). */
    peek: fresh,
    invalidate: (previewInstanceId: string) => void entries.delete(previewInstanceId),
    invalidateGeneration: (generationId: string) => {
      for (const [id, { route }] of entries) if (route.generationId === generationId) entries.delete(id);
    },
  };
};

export type RouteCache = ReturnType<typeof makeRouteCache>;
