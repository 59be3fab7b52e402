import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect, Layer } from "effect";
import { describe, expect, it, onTestFinished } from "vitest";
import { LogFanout, LogStore, type StoredBatch } from "../../libs/logs/contract.ts";
import type { IngestRecord } from "../../libs/logs/schemas.ts";
import type { PreviewStatus } from "../../libs/previews/contract.ts";
import { LogsDbLive } from "../../services/logs/db/logs-db.ts";
import { LogFanoutLive } from "../../services/logs/fanout.ts";
import { LogStoreLive } from "../../services/logs/log-store.ts";
import { webSink } from "../../services/logs/sse-sink.ts";
import { openSubscriber } from "../../services/logs/subscriber-stream.ts";

/**
 * The real LogStore on logs.db in a fresh DATA_DIR, as the logs service wires it, and the sink's
 * side of it: lines and statuses appended as ingest records, each with the sink's next seq.
 */
const storeOnDisk = () => {
  const dataDir = mkdtempSync(join(tmpdir(), "subscriber-web-"));
  const layer = LogStoreLive({ maxLines: 100_000, maxBytes: 32 * 1024 * 1024 }).pipe(Layer.provide(LogsDbLive(join(dataDir, "logs.db"))));
  let seq = 0;
  let lineNumber = 0;
  const append = (records: IngestRecord[]) => Effect.gen(function* () {
    const batches = yield* (yield* LogStore).append(records);
    expect(batches).toHaveLength(1);
    return batches;
  });
  const add = (n: number) => append(Array.from({ length: n }, (): IngestRecord => {
    lineNumber += 1;
    seq += 1;
    return { type: "line", previewId: "p", seq, timestamp: new Date().toISOString(), level: "INFO", source: "stdout", message: `m${lineNumber}` };
  }));
  const end = (status: PreviewStatus) => {
    seq += 1;
    return append([{ type: "status", previewId: "p", seq, status }]);
  };
  return { layer, add, end, dispose: () => rmSync(dataDir, { recursive: true, force: true }) };
};

const readAll = async (body: ReadableStream<Uint8Array>) => {
  let text = "";
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) text += chunk;
  return text;
};

describe("a log stream without a Node response (web-stream sink)", () => {
  it("replays, goes live without gap or duplicate, overflows its window into a catch-up, and ends on the final status", async () => {
    const store = storeOnDisk();
    onTestFinished(store.dispose);
    const layer = Layer.merge(LogFanoutLive({ subscriberBuffer: 4, pingIntervalMs: 60_000, pacing: 2 }), store.layer);
    const { text, catchUps } = await Effect.runPromise(Effect.gen(function* () {
      const fanout = yield* LogFanout;
      const publish = (batches: ReadonlyArray<StoredBatch>) => Effect.forEach(batches, (batch) => fanout.publish(batch), { discard: true });
      yield* store.add(3);
      const subscriber = yield* openSubscriber({ previewId: "p", retryMs: 2000, pageSize: 2 });
      const { body, sink } = webSink();
      subscriber.start(sink);
      const read = Effect.promise(() => readAll(body));
      // Published live in bursts larger than the 4-message window: some go through the catch-up.
      for (let i = 0; i < 5; i++) {
        yield* publish(yield* store.add(7));
        yield* Effect.sleep(5);
      }
      yield* publish(yield* store.end("stopped"));
      const text = yield* read;
      return { text, catchUps: (yield* fanout.stats).catchUps };
    }).pipe(Effect.provide(layer)));
    expect(text.startsWith("retry: 2000\n\n")).toBe(true);
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(Array.from({ length: 38 }, (_, i) => i + 1));
    const messages = [...text.matchAll(/^event: log\ndata: (.*)$/gm)].map((m) => (JSON.parse(m[1] ?? "") as { message: string }).message);
    expect(messages).toEqual(Array.from({ length: 38 }, (_, i) => `m${i + 1}`));
    expect(catchUps).toBeGreaterThan(0);
    expect(text.endsWith('event: status\ndata: {"status":"stopped","previewInstanceId":"p"}\n\n')).toBe(true);
  });
});
