import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { LogFanout, LogStore, type StoredEvent } from "../../libs/logs/contract.ts";
import type { LogLine } from "../../libs/logs/schemas.ts";
import type { PreviewStatus } from "../../libs/previews/contract.ts";
import { LogFanoutLive } from "../../services/logs/fanout.ts";
import { webSink } from "../../services/logs/sse-sink.ts";
import { openSubscriber } from "../../services/logs/subscriber-stream.ts";

/** A store in memory: enough of LogStore for a subscriber (replay, catch-up, status). */
const memoryStore = () => {
  const lines: LogLine[] = [];
  let status: PreviewStatus | null = null;
  const layer = Layer.succeed(LogStore, LogStore.of({
    append: () => Effect.die("not used"),
    page: (_, q) => Effect.sync(() => lines.filter((l) => l.id > q.after).slice(0, q.limit)),
    tailStart: (_, n) => Effect.sync(() => lines.at(-n - 1)?.id ?? 0),
    state: () => Effect.sync(() => ({ lastId: lines.at(-1)?.id ?? 0, status })),
  }));
  const add = (n: number): StoredEvent[] => Array.from({ length: n }, () => {
    const line: LogLine = { id: lines.length + 1, timestamp: new Date().toISOString(), level: "INFO", source: "stdout", message: `m${lines.length + 1}` };
    lines.push(line);
    return { _tag: "line", line };
  });
  const end = (s: PreviewStatus): StoredEvent[] => {
    status = s;
    return [{ _tag: "status", status: s }];
  };
  return { layer, add, end };
};

const readAll = async (body: ReadableStream<Uint8Array>) => {
  let text = "";
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) text += chunk;
  return text;
};

describe("a log stream without a Node response (web-stream sink)", () => {
  it("replays, goes live without gap or duplicate, overflows its window into a catch-up, and ends on the final status", async () => {
    const store = memoryStore();
    const layer = Layer.merge(LogFanoutLive({ subscriberBuffer: 4, pingIntervalMs: 60_000, pacing: 2 }), store.layer);
    const { text, catchUps } = await Effect.runPromise(Effect.gen(function* () {
      const fanout = yield* LogFanout;
      store.add(3);
      const subscriber = yield* openSubscriber({ previewId: "p", retryMs: 2000, pageSize: 2 });
      const { body, sink } = webSink();
      subscriber.start(sink);
      const read = Effect.promise(() => readAll(body));
      // Published live in bursts larger than the 4-message window: some go through the catch-up.
      for (let i = 0; i < 5; i++) {
        yield* fanout.publish({ previewId: "p", events: store.add(7) });
        yield* Effect.sleep(5);
      }
      yield* fanout.publish({ previewId: "p", events: store.end("stopped") });
      const text = yield* read;
      return { text, catchUps: (yield* fanout.stats).catchUps };
    }).pipe(Effect.provide(layer)));
    expect(text.startsWith("retry: 2000\n\n")).toBe(true);
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(Array.from({ length: 38 }, (_, i) => i + 1));
    expect(catchUps).toBeGreaterThan(0);
    expect(text.endsWith('event: status\ndata: {"status":"stopped","previewInstanceId":"p"}\n\n')).toBe(true);
  });
});
