import { Duration, Effect, Schedule } from "effect";
import type { PreviewDirectory } from "../../libs/previews/directory.ts";

export interface ActivityReporter {
  readonly record: (previewInstanceId: string) => void;
}

/**
 * Collects which previews saw proxied traffic and reports them to the orchestrator in one batch
 * per interval, instead of one call per request on the hot path. Scoped: the last batch is sent on close.
 */
export const startActivityReporter = (directory: PreviewDirectory["Service"], flushMs: number) =>
  Effect.gen(function* () {
    let pending = new Set<string>();
    const flush = Effect.suspend(() => {
      if (pending.size === 0) return Effect.void;
      const ids = [...pending];
      pending = new Set();
      return directory.touch(ids);
    });
    yield* Effect.forkScoped(flush.pipe(Effect.repeat(Schedule.spaced(Duration.millis(flushMs)))));
    yield* Effect.addFinalizer(() => flush);
    const reporter: ActivityReporter = { record: (id) => void pending.add(id) };
    return reporter;
  });
