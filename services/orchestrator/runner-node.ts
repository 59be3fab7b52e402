import { Context, Duration, Effect, Layer, Schedule, type Scope } from "effect";
import { LogSink, systemLine } from "../../libs/logsink/contract.ts";
import type { NodeIdentity } from "./node-identity.ts";
import { OrchestratorStore } from "./store/contract.ts";

/**
 * This orchestrator process as a runner node: registered in the `nodes` table with a lease it
 * renews, and the watcher of the other nodes' leases (every node watches; the one that claims a
 * lost node ends its previews).
 */
export class RunnerNode extends Context.Service<RunnerNode, {
  readonly identity: NodeIdentity;
  /** True once draining: it takes no more launches. */
  readonly draining: () => boolean;
  /** The preview manager hands over how to stop every preview this node runs. */
  readonly onDrain: (stopAll: Effect.Effect<void>) => void;
  /** Stops taking launches, stops its previews cleanly, then leaves the cluster (SIGTERM). */
  readonly drain: Effect.Effect<void>;
}>()("orchestrator/RunnerNode") {}

export const lostNodeMessage = (node: string, leaseMs: number) =>
  `The node ${node} running this preview was lost: it stopped renewing its lease (${leaseMs} ms)`;

/** Ends, as crashed, the live previews of nodes that stopped renewing their lease. */
const endPreviewsOfLostNodes = (store: OrchestratorStore["Service"], sink: LogSink["Service"], self: string, leaseMs: number, mayJudge: () => boolean) =>
  Effect.gen(function* () {
    // Rows first: a row names a node that registered before inserting it, so a node missing from
    // the table read after is gone (lost and claimed, or drained), never one not yet registered.
    const live = yield* store.previews.live();
    const nodes = yield* store.nodes.all();
    // Asked after the reads: a read held up by an outage must not judge by leases nobody could renew.
    if (!mayJudge()) return;
    const now = Date.now();
    const present = new Set<string>();
    for (const node of nodes) {
      if (node.id === self || node.leaseExpiresAt >= now) present.add(node.id);
      else yield* store.nodes.claimLost(node.id, now);
    }
    for (const row of live) {
      if (row.node === null || present.has(row.node)) continue;
      const errorMessage = lostNodeMessage(row.node, leaseMs);
      if (yield* store.previews.finishIfLive(row.id, { status: "crashed", stoppedAt: Date.now(), errorMessage })) {
        if (row.port !== null) yield* store.ports.release(row.port);
        sink.emit(row.id, [systemLine(errorMessage, "ERROR")]);
        sink.statusChanged(row.id, "crashed");
      }
    }
  });

export const RunnerNodeLive = (identity: NodeIdentity) =>
  Layer.effect(RunnerNode, Effect.gen(function* () {
    const store = yield* OrchestratorStore;
    const sink = yield* LogSink;
    const scope: Scope.Scope = yield* Effect.scope;
    const startedAt = Date.now();
    let draining = false;
    let left = false;
    let stopAll: Effect.Effect<void> = Effect.void;
    /** Renews the lease; succeeds with the time the renewed lease counts from. */
    const renew = Effect.suspend(() => {
      const at = Date.now();
      return left ? Effect.succeed(at) : store.nodes.put({
        id: identity.id,
        url: identity.url,
        capacity: identity.capacity,
        draining: draining ? 1 : 0,
        startedAt,
        leaseExpiresAt: at + identity.leaseMs,
      }).pipe(Effect.as(at));
    });
    // This node judges others only after renewing its own lease, with no gap longer than a lease,
    // for two whole leases: after a database outage every node has had that long to reconnect and
    // renew before any is taken for lost, so an outage longer than a lease does not make the nodes
    // end each other's previews (one whose reconnection lags by more than that is lost, as it should be).
    // A renewal is dated by when its lease starts, not by when the write came back: one held up by
    // an outage writes a lease that had lapsed already.
    let renewedAt = yield* renew;
    let renewingSince = renewedAt;
    const every = Schedule.spaced(Duration.millis(Math.max(50, Math.floor(identity.leaseMs / 3))));
    // A round that fails (the database away for a moment) is skipped; the next one runs.
    yield* Effect.forkIn(renew.pipe(
      Effect.tap((at) => Effect.sync(() => {
        if (at - renewedAt > identity.leaseMs) renewingSince = at;
        renewedAt = at;
      })),
      Effect.catchDefect(() => Effect.void),
      Effect.repeat(every),
    ), scope);
    const mayJudge = () => {
      const now = Date.now();
      return now - renewedAt <= identity.leaseMs && now - renewingSince >= 2 * identity.leaseMs;
    };
    yield* Effect.forkIn(
      endPreviewsOfLostNodes(store, sink, identity.id, identity.leaseMs, mayJudge).pipe(Effect.catchDefect(() => Effect.void), Effect.repeat(every)),
      scope,
    );
    return RunnerNode.of({
      identity,
      draining: () => draining,
      onDrain: (effect) => {
        stopAll = effect;
      },
      drain: Effect.suspend(() => {
        draining = true;
        return store.nodes.drain(identity.id).pipe(
          Effect.andThen(Effect.suspend(() => stopAll)),
          Effect.andThen(Effect.suspend(() => {
            left = true;
            return store.nodes.remove(identity.id);
          })),
        );
      }),
    });
  }));
