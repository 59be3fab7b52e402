import { Deferred, Effect, Exit, Scope } from "effect";
import { describe, expect, it } from "vitest";
import { makeWarmPool, type PoolSlot } from "../../libs/runtime/warm-pool.ts";

type TestSlot = PoolSlot & { readonly becomeReady: Effect.Effect<boolean>; readonly die: Effect.Effect<boolean> };

/** A slot whose life the test drives: it gets ready, dies, or is discarded when told. */
const makeSlot = (id: string, log: string[]): Effect.Effect<TestSlot> =>
  Effect.gen(function* () {
    const ready = yield* Deferred.make<boolean>();
    const gone = yield* Deferred.make<void>();
    const die = Effect.andThen(Deferred.succeed(ready, false), Deferred.succeed(gone, undefined));
    const slot: TestSlot = {
      id,
      ready: Deferred.await(ready),
      gone: Deferred.await(gone),
      lastLines: () => `${id} said goodbye`,
      discard: Effect.andThen(Effect.sync(() => log.push(`discard ${id}`)), die),
      becomeReady: Deferred.succeed(ready, true),
      die,
    };
    return slot;
  });

const withScope = (f: (scope: Scope.Closeable) => Effect.Effect<void, unknown, unknown>) =>
  Effect.runPromise(Effect.gen(function* () {
    const scope = yield* Scope.make();
    return yield* f(scope).pipe(Effect.ensuring(Scope.close(scope, Exit.void)));
  }) as Effect.Effect<void, unknown, never>);

describe("the warm pool's bookkeeping", () => {
  it("hands out only ready slots, each once, refills after a take, and discards the idle ones when closed", async () => {
    const log: string[] = [];
    await withScope((scope) => Effect.gen(function* () {
      let n = 0;
      const started: TestSlot[] = [];
      const pool = yield* makeWarmPool({
        size: 2,
        onTrouble: (m) => log.push(m),
        start: Effect.suspend(() => makeSlot(`s${++n}`, log)).pipe(Effect.tap((s) => Effect.sync(() => started.push(s)))),
      }).pipe(Scope.provide(scope));
      yield* Effect.yieldNow;
      // The first slot is starting, not ready: nothing to hand out.
      expect(pool.take()).toBeUndefined();
      expect(pool.ready()).toBe(0);
      yield* started[0]?.becomeReady ?? Effect.void;
      yield* Effect.yieldNow;
      yield* started[1]?.becomeReady ?? Effect.void;
      yield* pool.full;
      expect(pool.ready()).toBe(2);
      const a = pool.take();
      const b = pool.take();
      expect([a?.id, b?.id].sort()).toEqual(["s1", "s2"]);
      expect(pool.take()).toBeUndefined();
      // Refills one at a time, with new slots.
      yield* Effect.yieldNow;
      yield* started[2]?.becomeReady ?? Effect.void;
      yield* Effect.yieldNow;
      yield* started[3]?.becomeReady ?? Effect.void;
      yield* pool.full;
      expect(started.map((s) => s.id)).toEqual(["s1", "s2", "s3", "s4"]);
    }));
    // Closing the pool discarded the two idle slots, not the taken ones.
    expect(log.filter((l) => l.startsWith("discard")).sort()).toEqual(["discard s3", "discard s4"]);
  });

  it("replaces an idle slot that dies, and pauses (saying why) when slots keep dying before they are ready", async () => {
    const log: string[] = [];
    await withScope((scope) => Effect.gen(function* () {
      let n = 0;
      const started: TestSlot[] = [];
      const pool = yield* makeWarmPool({
        size: 1,
        onTrouble: (m) => log.push(m),
        start: Effect.suspend(() => makeSlot(`s${++n}`, log)).pipe(Effect.tap((s) => Effect.sync(() => started.push(s)))),
      }).pipe(Scope.provide(scope));
      yield* Effect.yieldNow;
      yield* started[0]?.becomeReady ?? Effect.void;
      yield* pool.full;
      yield* started[0]?.die ?? Effect.void;
      for (let i = 0; i < 20 && started.length < 2; i++) yield* Effect.yieldNow;
      expect(started.map((s) => s.id)).toEqual(["s1", "s2"]);
      expect(pool.ready()).toBe(0);
      for (let k = 1; k <= 3; k++) {
        yield* started[k]?.die ?? Effect.void;
        for (let i = 0; i < 20 && started.length < k + 2 && log.length === 0; i++) yield* Effect.yieldNow;
      }
      expect(log).toContainEqual(expect.stringMatching(/^warm pool: 3 slots in a row failed to start; refilling pauses for 30 s; the last said: s4 said goodbye$/));
    }));
  });

  it("keeps no slot at size 0: nothing is started and the pool is full at once", async () => {
    let starts = 0;
    await withScope((scope) => Effect.gen(function* () {
      const pool = yield* makeWarmPool({ size: 0, onTrouble: () => {}, start: Effect.sync(() => { starts++; }).pipe(Effect.andThen(Effect.never)) }).pipe(Scope.provide(scope));
      yield* pool.full;
      expect(pool.take()).toBeUndefined();
    }));
    expect(starts).toBe(0);
  });
});
