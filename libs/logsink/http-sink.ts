import { Effect, Layer, Redacted } from "effect";
import { PlatformSecrets } from "../auth/platform-secrets.ts";
import { type Delivery, makeOutboxSink, type OutboxSinkOptions } from "./outbox-sink.ts";
import { LogSink } from "./contract.ts";

export interface HttpLogSinkOptions extends OutboxSinkOptions {
  /** The logs service's base URL. */
  readonly url: string;
  readonly requestTimeoutMs?: number;
}

/** The split deployment's sink: NDJSON batches POSTed to the logs service's internal ingest route. */
export const HttpLogSink = (options: HttpLogSinkOptions) =>
  Layer.effect(LogSink, Effect.gen(function* () {
    const secrets = yield* PlatformSecrets;
    const endpoint = `${options.url.replace(/\/+$/, "")}/internal/logs`;
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
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

    return yield* makeOutboxSink((batch) => post(batch.body), options);
  }));
