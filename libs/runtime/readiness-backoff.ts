import { Duration, Effect } from "effect";

/**
 * How readiness is polled: from 5 ms, doubling, capped at 25 ms. A ready app is seen within
 * milliseconds, never after a fixed sleep; bench/launch.ts showed a 100 ms cap cost ~80 ms a
 * launch. The launch benchmark's bare-uvicorn baseline polls with the same steps.
 */
export const firstPollDelayMs = 5;
export const nextPollDelayMs = (delay: number): number => Math.min(delay * 2, 25);

/**
 * Output of a starting process, as a wake-up for its readiness check: uvicorn prints "Uvicorn
 * running on …" right after it starts listening, so a probe made when a line arrives sees the app
 * ready at once instead of at the next step of the backoff. Counted, so a line printed while a probe
 * was in flight is not missed.
 */
export class OutputNudges {
  private count = 0;
  private waiters: Array<() => void> = [];

  /** One more line was printed. */
  readonly nudge = (): void => {
    this.count++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  };

  readonly seen = (): number => this.count;

  /** Completes once a line came after the `seen()` value given. */
  readonly after = (seen: number): Effect.Effect<void> =>
    Effect.callback<void>((resume) => {
      if (this.count > seen) return resume(Effect.void);
      const wake = () => resume(Effect.void);
      this.waiters.push(wake);
      return Effect.sync(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
      });
    });
}

/** Polls `isAnswering` with the steps above until it says yes; a line of output (`nudges`) cuts a step short. */
export const untilAnswering = <U, E, R>(
  isAnswering: (upstream: U) => Effect.Effect<boolean, E, R>,
  upstream: U,
  nudges?: OutputNudges,
): Effect.Effect<void, E, R> =>
  Effect.gen(function* () {
    for (let delay = firstPollDelayMs; ; delay = nextPollDelayMs(delay)) {
      const seen = nudges?.seen() ?? 0;
      if (yield* isAnswering(upstream)) return;
      const step = Effect.sleep(Duration.millis(delay));
      yield* nudges === undefined ? step : Effect.raceFirst(step, nudges.after(seen));
    }
  });
