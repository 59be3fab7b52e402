import type { NatsConnection } from "@nats-io/transport-node";
import { Effect, Layer } from "effect";
import { openNats } from "../../libs/cluster/nats-connection.ts";
import { LogFanout, type StoredBatch, type StoredEvent } from "../../libs/logs/contract.ts";

/** Every stored batch of every preview, once, for every logs replica. */
export const logsSubject = "preview-logs";

/** Splits a batch into messages under the server's payload limit (a lone oversized event is left to storage). */
const encodeBatch = (batch: StoredBatch, maxBytes: number): Uint8Array[] => {
  const encoder = new TextEncoder();
  const out: Uint8Array[] = [];
  let events: StoredEvent[] = [];
  let size = 0;
  const flush = () => {
    if (events.length > 0) out.push(encoder.encode(JSON.stringify({ previewId: batch.previewId, events })));
    events = [];
    size = 0;
  };
  for (const event of batch.events) {
    const bytes = Buffer.byteLength(JSON.stringify(event)) + 1;
    if (size + bytes + batch.previewId.length + 64 > maxBytes) flush();
    if (bytes + batch.previewId.length + 64 > maxBytes) continue; // subscribers see the gap and read it from storage
    events.push(event);
    size += bytes;
  }
  flush();
  return out;
};

/**
 * The logs fan-out across replicas (NATS_URL): a stored batch is published once, on NATS, by the
 * replica that stored it; every replica (that one too) hands what it receives to its own
 * in-process fan-out (the wrapped LogFanout), which serves its own SSE clients. Nothing a
 * replica holds is needed by another: the lines are in the shared store, and a subscriber that
 * sees an id gap (a message lost or late) reads the gap from the store, so resuming on any
 * replica by Last-Event-ID gives no gap and no duplicate.
 */
export const NatsLogFanoutLive = (url: string) =>
  Layer.effect(LogFanout, Effect.gen(function* () {
    const local = yield* LogFanout;
    const nc: NatsConnection = yield* openNats(url, "logs");
    const decoder = new TextDecoder();
    nc.subscribe(logsSubject, {
      callback: (error, msg) => {
        if (error !== null) return;
        try {
          const batch = JSON.parse(decoder.decode(msg.data)) as StoredBatch;
          Effect.runSync(local.publish(batch));
        } catch {
          // Not a batch of ours: nothing to deliver.
        }
      },
    });
    // The subscription is registered with the server before this replica says it is ready.
    yield* Effect.promise(() => nc.flush());
    return LogFanout.of({
      ...local,
      publish: (batch) => Effect.sync(() => {
        for (const payload of encodeBatch(batch, nc.info?.max_payload ?? 1024 * 1024)) nc.publish(logsSubject, payload);
      }),
    });
  }));
