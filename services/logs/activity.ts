import { Duration, Effect, Layer, Schedule } from "effect";
import { LogFanout } from "../../libs/logs/contract.ts";
import { PreviewDirectory } from "../../libs/previews/directory.ts";

/** An open log subscriber counts as activity: previews being watched are reported to the orchestrator. */
export const SubscriberActivityLive = (intervalMs: number) =>
  Layer.effectDiscard(Effect.gen(function* () {
    const fanout = yield* LogFanout;
    const directory = yield* PreviewDirectory;
    const touchWatched = Effect.gen(function* () {
      const watched = yield* fanout.watched;
      if (watched.length > 0) yield* directory.touch(watched);
    });
    yield* Effect.forkScoped(touchWatched.pipe(Effect.repeat(Schedule.spaced(Duration.millis(intervalMs)))));
  }));
