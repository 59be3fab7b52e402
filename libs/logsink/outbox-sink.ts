import { Duration, Effect, Latch } from "effect";
import type { LineRate } from "../logs/line-budget.ts";
import { DeliveryLedger } from "../logs/delivery-ledger.ts";
import { Outbox, type OutboxBatch } from "../logs/outbox.ts";
import { LogSink } from "./contract.ts";

export interface OutboxSinkOptions {
  /** Lines held while the logs service is unreachable; more are counted and reported as dropped. */
  readonly bufferLines?: number;
  /** Of those, the most one preview may hold (default: all). */
  readonly previewBufferLines?: number;
  /** Each preview's rate budget (default: none). */
  readonly rate?: LineRate;
  readonly batchLines?: number;
  readonly batchBytes?: number;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /** How long shutdown waits to deliver what is still buffered. */
  readonly drainTimeoutMs?: number;
  /** Where per-preview delivery ledgers are kept (libs/logs/delivery-ledger.ts), so a crash's loss can be counted. */
  readonly ledgerDir?: string;
}

/** A batch was stored, refused for good (malformed: drop it), or not delivered (retry). */
export type Delivery = "delivered" | "rejected" | "failed";

/**
 * The orchestrator's `LogSink` over an outbox: `emit` only appends to a bounded outbox; one fiber
 * hands it in batches to `deliver` as fast as it answers (a batch grows while the previous one is
 * in flight), retrying with backoff while it fails. Previews never wait for it.
 */
export const makeOutboxSink = (deliver: (batch: OutboxBatch) => Effect.Effect<Delivery>, options: OutboxSinkOptions) =>
  Effect.gen(function* () {
    const outbox = new Outbox(options.bufferLines ?? 10_000, {
      seqFloor: Date.now() * 1000,
      ...(options.previewBufferLines === undefined ? {} : { perPreviewLines: options.previewBufferLines }),
      ...(options.rate === undefined ? {} : { rate: options.rate }),
      ...(options.ledgerDir === undefined ? {} : { ledger: new DeliveryLedger(options.ledgerDir) }),
    });
    const batchLines = options.batchLines ?? 1000;
    const batchBytes = options.batchBytes ?? 1024 * 1024;
    const retryMinMs = options.retryMinMs ?? 100;
    const retryMaxMs = options.retryMaxMs ?? 5000;
    const pending = Latch.makeUnsafe(false);

    /** Sends everything queued; gives up only when told to by `stopAfterFailure`. */
    const drain = (stopAfterFailure: boolean) => Effect.gen(function* () {
      let delay = retryMinMs;
      while (outbox.size > 0) {
        const batch = outbox.peek(batchLines, batchBytes);
        outbox.sending(batch.count);
        const outcome = yield* deliver(batch);
        outbox.sending(0);
        outbox.unreachable = outcome === "failed";
        if (outcome === "failed") {
          if (stopAfterFailure) return;
          yield* Effect.sleep(Duration.millis(delay));
          delay = Math.min(delay * 2, retryMaxMs);
          continue;
        }
        delay = retryMinMs;
        outbox.ack(batch.count);
        outbox.markAllDrops();
      }
    });

    // Registered before the sender starts, so it runs after the sender is interrupted: the last
    // lines of previews stopped at shutdown still get a bounded chance to arrive.
    yield* Effect.addFinalizer(() => drain(true).pipe(Effect.timeoutOption(Duration.millis(options.drainTimeoutMs ?? 3000)), Effect.asVoid));
    yield* Effect.forkScoped(Effect.forever(Effect.gen(function* () {
      yield* pending.await;
      pending.closeUnsafe();
      yield* drain(false);
    })));

    return LogSink.of({
      emit: (previewId, lines) => {
        for (const line of lines) outbox.pushLine(previewId, line);
        pending.openUnsafe();
      },
      statusChanged: (previewId, status) => {
        outbox.pushStatus(previewId, status);
        pending.openUnsafe();
      },
    });
  });
