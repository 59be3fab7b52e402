import { Effect, Layer } from "effect";
import { RouteChanges, RouteChangesLive } from "../../../libs/cluster/route-events.ts";
import { OrchestratorStore, type PreviewPatch } from "./contract.ts";

/** The fields a gateway's cached route is made of. */
const routeFields: ReadonlyArray<keyof PreviewPatch> = ["status", "port", "socketPath"];
const touchesRoute = (patch: PreviewPatch) => routeFields.some((f) => f in patch);

/**
 * The store, telling gateways (RouteChanges: NATS when NATS_URL is set) each time a write changed
 * a preview's route: after the write, so a gateway that asks again reads the new one.
 */
export const announcingRouteChanges = <E, R>(inner: Layer.Layer<OrchestratorStore, E, R>) =>
  Layer.effect(OrchestratorStore, Effect.gen(function* () {
    const store = yield* OrchestratorStore;
    const { changed } = yield* RouteChanges;
    return OrchestratorStore.of({
      ...store,
      previews: {
        ...store.previews,
        update: (id, patch) => store.previews.update(id, patch).pipe(Effect.tap(() => Effect.sync(() => {
          if (touchesRoute(patch)) changed(id);
        }))),
        finishIfLive: (id, patch) => store.previews.finishIfLive(id, patch).pipe(Effect.tap((ended) => Effect.sync(() => {
          if (ended) changed(id);
        }))),
      },
    });
  })).pipe(Layer.provide(Layer.mergeAll(inner, RouteChangesLive)));
