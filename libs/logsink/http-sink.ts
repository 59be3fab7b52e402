import { Duration, Effect, Latch, Layer, Redacted } from "effect";
import { PlatformSecrets } from "../auth/platform-secrets.ts";
import { Outbox } from "../logs/outbox.ts";
import { LogSink } from "./contract.ts";

export interface HttpLogSinkOptions {
  /** The logs service's base URL. */
  readonly url: string;
  /** Lines held while the logs service is unreachable; more are counted and reported as dropped. */
  readonly bufferLines?: number;
  readonly batchLines?: number;
  readonly batchBytes?: number;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  readonly requestTimeoutMs?: number;
  /** How long shutdown waits to deliver what is still buffered. */
  readonly drainTimeoutMs?: number;
}

type Delivery = "delivered" | "rejected" | "failed";

/**
 * The orchestrator's `LogSink` in split mode: `emit` only appends to a bounded outbox; one fiber
 * sends it as NDJSON batches to the logs service as fast as it answers (a batch grows while the
 * previous one is in flight), retrying with backoff while it does not. Previews never wait for it.
 */
export const HttpLogSink = (options: HttpLogSinkOptions) =>
  Layer.effect(LogSink, Effect.gen(function* () {
    const secrets = yield* PlatformSecrets;
    const endpoint = `${options.url.replace(/\/+$/, "")}/internal/logs`;
    const outbox = new Outbox(options.bufferLines ?? 10_000);
    const batchLines = options.batchLines ?? 1000;
    const batchBytes = options.batchBytes ?? 1024 * 1024;
    const retryMinMs = options.retryMinMs ?? 100;
    const retryMaxMs = options.retryMaxMs ?? 5000;
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
    const pending = Latch.makeUnsafe(false);

    const post = (body: string): Effect.Effect<Delivery> =>
      Effect.promise(async () => {
        try {
          const res = await fetch(endpoint, {
            method: "POST",
            headers: { "content-type": "application/x-ndjson", "x-internal-token": Redacted.value(secrets.internalToken) },
            body,
            signal: AbortSignal.timeout(timeoutMs),
          });
          await res.body?.cancel();
          if (res.ok) return "delivered";
          // A batch the service calls malformed will never be accepted: drop it rather than block the rest.
          return res.status === 400 || res.status === 413 ? "rejected" : "failed";
        } catch {
          return "failed";
        }
      });

    /** Sends everything queued; gives up only when told to by `stopAfterFailure`. */
    const drain = (stopAfterFailure: boolean) => Effect.gen(function* () {
      let delay = retryMinMs;
      while (outbox.size > 0) {
        const batch = outbox.peek(batchLines, batchBytes);
        const outcome = yield* post(batch.body);
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
  }));
