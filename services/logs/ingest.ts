import { Context, Effect, Layer, Semaphore } from "effect";
import { LogFanout, LogStore } from "../../libs/logs/contract.ts";
import type { LineRate } from "../../libs/logs/line-budget.ts";
import type { IngestRecord } from "../../libs/logs/schemas.ts";
import { makeIngestBudget } from "./ingest-budget.ts";

/** Stores a batch, then publishes what it added. */
export class LogIngest extends Context.Service<LogIngest, {
  readonly ingest: (records: ReadonlyArray<IngestRecord>) => Effect.Effect<{ readonly stored: number }>;
}>()("logs/LogIngest") {}

export const LogIngestLive = (rate: LineRate) => Layer.effect(LogIngest, Effect.gen(function* () {
  const store = yield* LogStore;
  const withinBudget = makeIngestBudget(rate);
  const fanout = yield* LogFanout;
  // Store-then-publish runs one batch at a time, so the channel sees ids in the order they were given.
  const lock = yield* Semaphore.make(1);
  return LogIngest.of({
    ingest: (records) => lock.withPermits(1)(Effect.gen(function* () {
      const batches = yield* store.append(withinBudget(records));
      let stored = 0;
      for (const batch of batches) {
        stored += batch.events.length;
        yield* fanout.publish(batch);
      }
      return { stored };
    })),
  });
}));
