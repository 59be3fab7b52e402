import { Effect, Layer } from "effect";
import { LogSink } from "../../libs/logsink/contract.ts";
import { makeOutboxSink, type OutboxSinkOptions } from "../../libs/logsink/outbox-sink.ts";
import { LogIngest } from "./ingest.ts";

/**
 * The orchestrator's sink when the logs service runs in the same process (all-in-one): the same
 * bounded outbox as over HTTP, delivered straight to the ingest.
 */
export const InProcessLogSink = (options: OutboxSinkOptions = {}) =>
  Layer.effect(LogSink, Effect.gen(function* () {
    const ingest = yield* LogIngest;
    return yield* makeOutboxSink((batch) => ingest.ingest(batch.records).pipe(Effect.as("delivered" as const)), options);
  }));
