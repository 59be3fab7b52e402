import { Effect } from "effect";
import type { PreviewRoute } from "../../libs/previews/contract.ts";
import type { PreviewDirectory } from "../../libs/previews/directory.ts";

/**
 * A short cache of where previews answer, so the proxy asks the orchestrator at most once per
 * preview per `ttlMs`. Entries go as soon as the preview is known to stop.
 */
export const makeRouteCache = (directory: PreviewDirectory["Service"], ttlMs: number) => {
  const entries = new Map<string, { readonly route: PreviewRoute; readonly at: number }>();
  return {
    get: (previewInstanceId: string) =>
      Effect.suspend(() => {
        const hit = entries.get(previewInstanceId);
        if (hit !== undefined && Date.now() - hit.at < ttlMs) return Effect.succeed(hit.route);
        return directory.route(previewInstanceId).pipe(
          Effect.tap((route) => Effect.sync(() => entries.set(previewInstanceId, { route, at: Date.now() }))),
        );
      }),
    /** The cached route if fresh, without asking anyone (the Node fast path's lookup). */
    peek: (previewInstanceId: string): PreviewRoute | undefined => {
      const hit = entries.get(previewInstanceId);
      return hit !== undefined && Date.now() - hit.at < ttlMs ? hit.route : undefined;
    },
    invalidate: (previewInstanceId: string) => void entries.delete(previewInstanceId),
    invalidateGeneration: (generationId: string) => {
      for (const [id, { route }] of entries) if (route.generationId === generationId) entries.delete(id);
    },
  };
};

export type RouteCache = ReturnType<typeof makeRouteCache>;
