import { Context, Effect, Layer, Redacted } from "effect";
import { PlatformSecrets } from "../../libs/auth/platform-secrets.ts";
import type { LaunchBody } from "../../libs/previews/contract.ts";
import { RuntimeUnavailable } from "../../libs/runtime/errors.ts";
import { type OwnerAction, relayToOwner } from "./owner-relay.ts";
import { RunnerNode } from "./runner-node.ts";
import { type NodeRow, OrchestratorStore } from "./store/contract.ts";

/** How long a launch relayed to another node may take (a launch that waits runs to its end there). */
const relayTimeoutMs = 120_000;

/**
 * The nodes a launch may go to, best first: live lease, not draining, reachable, with room; the
 * least loaded (live previews over capacity) first, this node first among equals (no hop).
 * Capacity is a placement rule, not a lock: two replicas placing at once may both pick a node's
 * last slot (admission, per user and per generation, stays atomic; that is the hard limit).
 */
export const rankNodes = (nodes: ReadonlyArray<NodeRow>, live: ReadonlyMap<string, number>, self: string, now: number): ReadonlyArray<NodeRow> =>
  nodes
    .filter((n) => n.draining === 0 && n.leaseExpiresAt >= now && (n.id === self || n.url !== "") && (live.get(n.id) ?? 0) < n.capacity)
    .map((n) => ({ n, load: (live.get(n.id) ?? 0) / Math.max(1, n.capacity) }))
    .sort((a, b) => a.load - b.load || Number(b.n.id === self) - Number(a.n.id === self) || a.n.id.localeCompare(b.n.id))
    .map(({ n }) => n);

export const internalLaunchPath = (generationId: string, userId: string) =>
  `/internal/generations/${encodeURIComponent(generationId)}/preview/launch?userId=${encodeURIComponent(userId)}`;

/**
 * Where a launch runs. `place` answers undefined when this node takes it, else the answer of the
 * node that took it (its launch route's, relayed as is: status and body).
 */
export class Placement extends Context.Service<Placement, {
  readonly place: (userId: string, generationId: string, body: LaunchBody) => Effect.Effect<Response | undefined, RuntimeUnavailable>;
  /** A stop or reload sent on to the node running the generation's live preview (owner-relay.ts); undefined when it is this one. */
  readonly toOwner: (userId: string, generationId: string, action: OwnerAction) => Effect.Effect<Response | undefined>;
}>()("orchestrator/Placement") {}

export const PlacementLive = Layer.effect(Placement, Effect.gen(function* () {
  const store = yield* OrchestratorStore;
  const node = yield* RunnerNode;
  const secrets = yield* PlatformSecrets;
  const self = node.identity.id;

  /** The other node's answer, or undefined when it did not take the launch (gone, draining, no runtime). */
  const relay = (target: NodeRow, userId: string, generationId: string, body: LaunchBody) =>
    Effect.tryPromise(async (signal) => {
      const res = await fetch(target.url.replace(/\/+$/, "") + internalLaunchPath(generationId, userId), {
        method: "POST",
        headers: { "content-type": "application/json", "x-internal-token": Redacted.value(secrets.internalToken) },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(relayTimeoutMs)]),
      });
      const text = await res.text();
      if (res.status === 503 || res.status === 404) return undefined;
      return new Response(text, { status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "application/json" } });
    }).pipe(Effect.orElseSucceed(() => undefined));

  return Placement.of({
    toOwner: (userId, generationId, action) => relayToOwner(store, self, Redacted.value(secrets.internalToken), userId, generationId, action),
    place: (userId, generationId, body) => Effect.gen(function* () {
      const nodes = yield* store.nodes.all();
      const ranked = rankNodes(nodes, yield* store.previews.liveCountByNode(), self, Date.now());
      for (const target of ranked) {
        if (target.id === self) return undefined;
        const answer = yield* relay(target, userId, generationId, body);
        if (answer !== undefined) return answer;
      }
      return yield* Effect.fail(new RuntimeUnavailable({
        message: `No runner node has room for another preview (${nodes.length} node${nodes.length === 1 ? "" : "s"}: full, draining or unreachable); try again shortly`,
      }));
    }),
  });
}));
