import { Duration, Effect } from "effect";

/**
 * How readiness is polled: from 5 ms, doubling, capped at 25 ms. A ready app is seen within
 * milliseconds, never after a fixed sleep; bench/launch.ts showed a 100 ms cap cost ~80 ms a
 * launch. The launch benchmark's bare-uvicorn baseline polls with the same steps.
 */
export const firstPollDelayMs = 5;
export const nextPollDelayMs = (delay: number): number => Math.min(delay * 2, 25);

/** Polls `isAnswering` with the steps above until it says yes. */
export const untilAnswering = <U, E, R>(isAnswering: (upstream: U) => Effect.Effect<boolean, E, R>, upstream: U): Effect.Effect<void, E, R> =>
  Effect.gen(function* () {
    for (let delay = firstPollDelayMs; ; delay = nextPollDelayMs(delay)) {
      if (yield* isAnswering(upstream)) return;
      yield* Effect.sleep(Duration.millis(delay));
    }
  });
