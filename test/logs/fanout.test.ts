import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/api.ts";
import { expectContiguous } from "./support/expect-ids.ts";
import { printerApp } from "./support/log-apps.ts";
import { launchRunning, logsPath, printLines, stopPreview } from "./support/previews.ts";
import { type LogEvent, SseClient } from "./support/sse-client.ts";
import { type LogsStack, startLogsStack } from "./support/stack.ts";

let stack: LogsStack;
let token: string;
beforeAll(async () => {
  // A tiny per-subscriber window, so the stalled-client case overflows it for sure.
  stack = await startLogsStack({ logs: { SUBSCRIBER_BUFFER: "8" } });
  token = await stack.token("alice");
});
afterAll(() => stack.dispose());

const streamUrl = (generationId: string, query = "") => `${stack.logsUrl}${logsPath(generationId)}/stream${query}`;
const bearer = () => ({ authorization: `Bearer ${token}` });

describe("live fan-out", () => {
  it("gives two subscribers the same strictly increasing ids, with uvicorn's startup lines and every printed line", async () => {
    const { generationId, previewId, port } = await launchRunning(stack, token, printerApp);
    const a = await SseClient.open(streamUrl(generationId), bearer());
    const b = await SseClient.open(streamUrl(generationId), bearer());
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toBe("text/event-stream");
    expect(a.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(a.headers.get("x-accel-buffering")).toBe("no");

    await printLines(port, 500, "fan");
    await a.waitForLog((l) => l.message === "fan-499 ", "a's last line");
    await b.waitForLog((l) => l.message === "fan-499 ", "b's last line");
    await a.close();
    await b.close();

    expect(a.raw.startsWith("retry: 2000\n\n")).toBe(true);
    expect(a.retry).toBe(2000);
    expect(a.logs.map((l) => l.id)).toEqual(b.logs.slice(0, a.logs.length).map((l) => l.id));
    expectContiguous(a.logs, 1);
    const messages = a.logs.map((l) => l.message);
    expect(messages.some((m) => m.includes("Uvicorn running on"))).toBe(true);
    expect(a.logs.find((l) => l.message.includes("Uvicorn running on"))).toMatchObject({ source: "stderr", level: "INFO" });
    expect(messages[0]).toMatch(/^launching main:app/);
    for (let i = 0; i < 500; i++) expect(messages.filter((m) => m === `fan-${i} `)).toHaveLength(1);
    // The data is the line itself, with the SSE id repeated in it.
    expect(a.events.find((e) => e.event === "log")?.id).toBe("1");
    // The stream may open before the logs service has heard "running" (statuses travel with the lines).
    expect(a.statuses.at(-1)).toBe("running");
    expect(a.statuses.every((st) => st === "launching" || st === "running")).toBe(true);
    expect(JSON.parse(a.events.filter((e) => e.event === "status").at(-1)?.data ?? "{}")).toEqual({ status: "running", previewInstanceId: previewId });
    await stopPreview(stack, token, generationId);
  });

  it("resumes after Last-Event-ID (header or query) with no gap and no duplicate", async () => {
    const { generationId, port } = await launchRunning(stack, token, printerApp);
    await printLines(port, 50, "before");
    const first = await SseClient.open(streamUrl(generationId), bearer());
    const seen = await first.waitForLog((l) => l.message === "before-20 ");
    await first.close();
    const n = seen.id;

    await printLines(port, 300, "after");
    for (const resumed of [
      await SseClient.open(streamUrl(generationId), { ...bearer(), "last-event-id": String(n) }),
      await SseClient.open(streamUrl(generationId, `?lastEventId=${n}`), bearer()),
    ]) {
      await resumed.waitForLog((l) => l.message === "after-299 ");
      await resumed.close();
      expect(resumed.logs[0]?.id).toBe(n + 1);
      expect(resumed.logs[0]?.message).toBe("before-21 ");
      expectContiguous(resumed.logs, n + 1);
    }

    // `tail` replays only the last lines of the history.
    const tailed = await SseClient.open(streamUrl(generationId, "?tail=3"), bearer());
    await eventually(() => (tailed.statuses.length > 0 ? true : undefined));
    await tailed.close();
    expect(tailed.logs).toHaveLength(3);
    await stopPreview(stack, token, generationId);
  });

  it("does not let a stalled subscriber delay a reading one; the stalled one catches up from storage without loss", async () => {
    const { generationId, port } = await launchRunning(stack, token, printerApp);

    // A client that sends its request and then never reads: the kernel buffers fill and its server side blocks.
    let stalledText = "";
    const stalled = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
      const req = request(streamUrl(generationId), { headers: bearer() }, (res) => {
        res.pause();
        resolve(res);
      });
      req.on("error", reject);
      req.end();
    });
    expect(stalled.statusCode).toBe(200);
    const reader = await SseClient.open(streamUrl(generationId), bearer());

    const total = 30_000;
    await printLines(port, total, "flood", 300);
    await reader.waitForLog((l) => l.message.startsWith(`flood-${total - 1} `), "the reader's last line");
    expect(reader.logs.filter((l) => l.message.startsWith("flood-"))).toHaveLength(total);
    expectContiguous(reader.logs, 1);

    const beforeResume = await stack.logs().stats();
    // Now the stalled client reads: it lost its live window, went back to storage, and has every line.
    stalled.setEncoding("utf8");
    stalled.on("data", (chunk: string) => { stalledText += chunk; });
    stalled.resume();
    const stalledLogs = () => [...stalledText.matchAll(/^data: (\{"id".*)\n/gm)].map((m) => JSON.parse(m[1] ?? "{}") as LogEvent);
    await eventually(() => (stalledLogs().some((l) => l.message.startsWith(`flood-${total - 1} `)) ? true : undefined), 60_000, "the stalled client's last line");
    stalled.destroy();
    await reader.close();
    const got = stalledLogs();
    expectContiguous(got, 1);
    expect(got.filter((l) => l.message.startsWith("flood-"))).toHaveLength(total);
    const after = await stack.logs().stats();
    // Only the stalled subscriber was catching up since: it overflowed its bounded window and went to storage.
    expect(after.catchUps).toBeGreaterThan(beforeResume.catchUps);
    await stopPreview(stack, token, generationId);
  });

  it("sends the final status to subscribers and ends; a stream opened after the end replays history and ends", async () => {
    const { generationId, port } = await launchRunning(stack, token, printerApp);
    await printLines(port, 5, "last");
    const live = await SseClient.open(streamUrl(generationId), bearer());
    await live.waitForLog((l) => l.message === "last-4 ");
    expect((await stopPreview(stack, token, generationId)).status).toBe(200);
    await live.done;
    expect(live.statuses).toEqual(["running", "stopped"]);
    expect(live.logs.at(-1)?.message).toBe("Stopped by the user");

    const late = await SseClient.open(streamUrl(generationId), bearer());
    await late.done;
    expect(late.logs.map((l) => l.id)).toEqual(live.logs.map((l) => l.id));
    expect(late.statuses).toEqual(["stopped"]);
    // Ended streams leave nothing subscribed behind.
    await eventually(async () => ((await stack.logs().stats()).subscribers === 0 ? true : undefined));
  });
});
