import { Duration, Effect, Option, Queue, type Scope } from "effect";

/** One pre-started sandbox as the pool sees it. */
export interface PoolSlot {
  readonly id: string;
  /** Completes when the slot is ready for work: true, or false if it died first. */
  readonly ready: Effect.Effect<boolean>;
  /** Completes when the slot's processes are gone, whoever took it. */
  readonly gone: Effect.Effect<void>;
  /** The last lines it printed (why a slot died before it was ready). */
  readonly lastLines: () => string;
  /** Ends an idle slot and removes what it left (pool shutdown, or a slot taken but not used). */
  readonly discard: Effect.Effect<void>;
}

export interface WarmPoolOptions<S extends PoolSlot> {
  readonly size: number;
  readonly start: Effect.Effect<S, unknown>;
  /** Told when slots keep dying before they are ready, so refilling pauses. */
  readonly onTrouble: (message: string) => void;
}

export interface WarmPool<S extends PoolSlot> {
  readonly size: number;
  /** A ready slot no one else will ever get, or none. (A slot still starting has not mounted its dir yet.) */
  readonly take: () => S | undefined;
  /** Slots ready for work in the pool now. */
  readonly ready: () => number;
  /** Completes once the pool holds `size` ready slots (tests and the benchmark wait on it). */
  readonly full: Effect.Effect<void>;
}

const maxFailuresInARow = 3;
const pauseAfterFailuresMs = 30_000;

/**
 * Keeps `size` slots started ahead of demand. One refill fiber starts them one at a time (a slot's
 * imports cost a core for a while; previews already running keep the other), and starts the next
 * when one is taken or dies idle. A slot taken leaves the pool for good: it is never handed out
 * twice. Closing the scope ends the refill fiber and discards every idle slot.
 */
export const makeWarmPool = <S extends PoolSlot>(options: WarmPoolOptions<S>): Effect.Effect<WarmPool<S>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const size = Math.max(0, options.size);
    const idle: Array<{ readonly slot: S; isReady: boolean }> = [];
    const wake = yield* Queue.dropping<void>(1);
    const signal = () => void Queue.offerUnsafe(wake, undefined);
    let readyWaiters: Array<() => void> = [];
    const notifyIfFull = () => {
      if (idle.length < size || idle.some((s) => !s.isReady)) return;
      const waiters = readyWaiters;
      readyWaiters = [];
      for (const w of waiters) w();
    };

    const refill = Effect.gen(function* () {
      let failures = 0;
      let lastFailure = "";
      for (;;) {
        while (idle.length < size) {
          // A slot started is in `idle` before an interruption (shutdown) can come, so the finalizer
          // discards it: it never outlives the pool with its processes, dir and quota mount.
          const slot = yield* Effect.uninterruptible(options.start.pipe(Effect.option, Effect.map((started) => {
            if (started._tag === "None") return started;
            const entry = { slot: started.value, isReady: false };
            idle.push(entry);
            return Option.some(entry);
          })));
          if (slot._tag === "None") {
            failures++;
            lastFailure = "the sandbox could not start";
          } else {
            const entry = slot.value;
            // An idle slot that dies leaves the pool, and the pool refills.
            yield* Effect.forkDetach(entry.slot.gone.pipe(Effect.andThen(Effect.sync(() => {
              const at = idle.indexOf(entry);
              if (at >= 0) {
                idle.splice(at, 1);
                signal();
              }
            }))));
            const ready = yield* entry.slot.ready;
            entry.isReady = ready;
            failures = ready ? 0 : failures + 1;
            if (!ready) lastFailure = entry.slot.lastLines();
            if (ready) notifyIfFull();
          }
          if (failures >= maxFailuresInARow) {
            options.onTrouble(`warm pool: ${failures} slots in a row failed to start; refilling pauses for ${pauseAfterFailuresMs / 1000} s; the last said: ${lastFailure}`);
            yield* Effect.sleep(Duration.millis(pauseAfterFailuresMs));
            failures = 0;
          }
        }
        notifyIfFull();
        yield* Queue.take(wake);
      }
    });

    if (size > 0) {
      // Finalizers run last-added first: the refill fiber is interrupted (a slot it is starting
      // lands in `idle`) before the idle slots are discarded.
      yield* Effect.addFinalizer(() =>
        Effect.forEach(idle.splice(0), (e) => e.slot.discard, { concurrency: "unbounded", discard: true }));
      yield* Effect.forkScoped(refill);
    }

    return {
      size: size,
      take: () => {
        const at = idle.findIndex((e) => e.isReady);
        if (at < 0) return undefined;
        const [taken] = idle.splice(at, 1);
        signal();
        return taken?.slot;
      },
      ready: () => idle.filter((e) => e.isReady).length,
      full: size === 0 ? Effect.void : Effect.callback<void>((resume) => {
        readyWaiters.push(() => resume(Effect.void));
        notifyIfFull();
      }),
    };
  });
