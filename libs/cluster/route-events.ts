import { Context, Effect, Layer, Option } from "effect";
import { natsUrl, openNats } from "./nats-connection.ts";

/** A preview whose route (status, upstream) changed, published by the orchestrator that wrote it. */
export const routeSubject = "preview-routes";

/** Tells this gateway that a preview's route changed somewhere in the cluster. */
export class RouteInvalidations extends Context.Service<RouteInvalidations, {
  /** Calls `invalidate` with the preview id of every route change from now on. */
  readonly onChange: (invalidate: (previewInstanceId: string) => void) => Effect.Effect<void>;
}>()("cluster/RouteInvalidations") {}

/** Publishes route changes (the orchestrator side); a no-op without NATS_URL. */
export class RouteChanges extends Context.Service<RouteChanges, {
  readonly changed: (previewInstanceId: string) => void;
}>()("cluster/RouteChanges") {}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const RouteChangesLive = Layer.effect(RouteChanges, Effect.gen(function* () {
  const url = yield* natsUrl;
  if (Option.isNone(url)) return RouteChanges.of({ changed: () => undefined });
  const nc = yield* openNats(url.value, "orchestrator");
  return RouteChanges.of({ changed: (id) => nc.publish(routeSubject, encoder.encode(id)) });
}));

/**
 * With NATS_URL, a gateway forgets a cached route the moment any orchestrator changes it (a stop,
 * a reload's new address), instead of serving a stale one until its cache time runs out.
 * Without it, nothing is ever announced and the cache time alone applies.
 */
export const RouteInvalidationsLive = Layer.effect(RouteInvalidations, Effect.gen(function* () {
  const url = yield* natsUrl;
  if (Option.isNone(url)) return RouteInvalidations.of({ onChange: () => Effect.void });
  const nc = yield* openNats(url.value, "gateway");
  return RouteInvalidations.of({
    onChange: (invalidate) => Effect.promise(async () => {
      nc.subscribe(routeSubject, { callback: (error, msg) => void (error === null && invalidate(decoder.decode(msg.data))) });
      await nc.flush();
    }),
  });
}));
