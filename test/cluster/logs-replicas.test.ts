import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/api.ts";
import { expectContiguous } from "../logs/support/expect-ids.ts";
import { printerApp } from "../logs/support/log-apps.ts";
import { launchRunning, logsPath, printLines, stopPreview } from "../logs/support/previews.ts";
import { SseClient } from "../logs/support/sse-client.ts";
import { type LogsStack, startLogsStack } from "../logs/support/stack.ts";
import { startTestNats, startTestPostgres } from "./support/servers.ts";

// Two real logs replicas on one PostgreSQL and one NATS. The orchestrator's sink sends every line
// to the first (stack.logsUrl), which stores it and publishes it once on NATS; the second serves
// its own SSE clients from what NATS brings it.
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let nats: Awaited<ReturnType<typeof startTestNats>>;
let stack: LogsStack;
let token: string;
let generationId: string;
let port: number;
let other: { readonly url: string; readonly shutdown: () => Promise<void> };

beforeAll(async () => {
  [pg, nats] = await Promise.all([startTestPostgres(), startTestNats()]);
  stack = await startLogsStack({ logsEnv: { DATABASE_URL: pg.url, NATS_URL: nats.url } });
  other = await stack.startReplica();
  token = await stack.token("alice");
  ({ generationId, port } = await launchRunning(stack, token, printerApp));
});

afterAll(async () => {
  if (stack !== undefined) {
    await stopPreview(stack, token, generationId);
    await stack.dispose();
  }
  await Promise.all([pg?.dispose(), nats?.dispose()]);
});

const streamOn = (base: string, lastEventId?: number) =>
  SseClient.open(`${base}${logsPath(generationId)}/stream`, {
    authorization: `Bearer ${token}`,
    ...(lastEventId === undefined ? {} : { "last-event-id": String(lastEventId) }),
  });

describe("logs fan-out over NATS", () => {
  it("a line stored by one replica reaches the live subscribers of both, once each, with the same ids", async () => {
    const [onIngesting, onOther] = await Promise.all([streamOn(stack.logsUrl), streamOn(other.url)]);
    // Both are live before the lines are printed: they must come through NATS, not the store.
    await printLines(port, 200, "live");
    await Promise.all([onIngesting, onOther].map((c) => c.waitForLog((l) => l.message === "live-199 ", "the last live line")));
    await Promise.all([onIngesting.close(), onOther.close()]);
    const live = (c: SseClient) => c.logs.filter((l) => l.message.startsWith("live-"));
    expect(live(onOther)).toEqual(live(onIngesting));
    expect(live(onOther).map((l) => l.message)).toEqual(Array.from({ length: 200 }, (_, i) => `live-${i} `));
    expectContiguous(onOther.logs, onOther.logs[0]?.id ?? 1);
  });

  it("NATS restarted under live streams: both replicas reconnect by themselves, and the subscriber misses nothing", async () => {
    const watcher = await streamOn(other.url);
    await printLines(port, 10, "before");
    await watcher.waitForLog((l) => l.message === "before-9 ", "the lines before the restart");
    await nats.stop();
    await printLines(port, 100, "outage"); // stored by the first replica; NATS is down
    await nats.start();
    // A line now and then until one reaches the watcher over the reconnected bus: it sees the gap
    // left by the outage and reads it from the store.
    let k = 0;
    await eventually(async () => {
      await printLines(port, 1, `after${k++}`);
      return watcher.logs.some((l) => l.message.startsWith("after")) ? true : undefined;
    }, 60_000, "a line through NATS after its restart");
    await watcher.close();
    expectContiguous(watcher.logs, watcher.logs[0]?.id ?? 1);
    expect(watcher.logs.filter((l) => l.message.startsWith("outage-")).map((l) => l.message)).toEqual(Array.from({ length: 100 }, (_, i) => `outage-${i} `));
  });

  it("a client whose replica goes away mid-stream resumes on the other by Last-Event-ID: no gap, no duplicate", async () => {
    const first = await streamOn(other.url);
    const printing = printLines(port, 5000, "moving");
    await first.waitForLog((l) => l.message.startsWith("moving-"), "the first moving line");
    await other.shutdown();
    await first.done; // the replica's shutdown ends the stream; the client keeps its last id
    await printing;
    const n = first.lastId ?? 0;
    const resumed = await streamOn(stack.logsUrl, n);
    await resumed.waitForLog((l) => l.message === "moving-4999 ", "the last moving line");
    await resumed.close();
    expectContiguous(resumed.logs, n + 1);
    const moving = [...first.logs, ...resumed.logs].filter((l) => l.message.startsWith("moving-")).map((l) => l.message);
    expect(moving).toEqual(Array.from({ length: 5000 }, (_, i) => `moving-${i} `));
  });
});
