import { afterEach, describe, expect, it } from "vitest";
import { rateDropMessage } from "../../libs/logs/line-budget.ts";
import { eventually } from "../support/api.ts";
import { launchRunning, stopPreview } from "./support/previews.ts";
import { type LogsStack, startLogsStack } from "./support/stack.ts";

/** ~100,000 lines a second: 1,000 lines per write, 100 writes a second, from a thread started with the app. */
const spammerApp = {
  "main.py": [
    "import sys, threading, time",
    "from fastapi import FastAPI",
    "app = FastAPI()",
    "",
    "def spam():",
    "    n = 0",
    "    while True:",
    "        sys.stdout.write(''.join(f'spam-{n + i}\\n' for i in range(1000)))",
    "        sys.stdout.flush()",
    "        n += 1000",
    "        time.sleep(0.01)",
    "",
    "threading.Thread(target=spam, daemon=True).start()",
    "",
  ].join("\n"),
};

/** 10 numbered lines a second. */
const quietApp = {
  "main.py": [
    "import threading, time",
    "from fastapi import FastAPI",
    "app = FastAPI()",
    "",
    "def talk():",
    "    n = 0",
    "    while True:",
    "        print(f'quiet-{n}', flush=True)",
    "        n += 1",
    "        time.sleep(0.1)",
    "",
    "threading.Thread(target=talk, daemon=True).start()",
    "",
  ].join("\n"),
};

const rate = { linesPerSecond: 2000, burstLines: 5000 };

let stack: LogsStack | undefined;
afterEach(() => stack?.dispose());

describe("fair logs", () => {
  it("a preview writing ~100k lines/s loses only its own lines, said truthfully; a 10 lines/s neighbour loses nothing", async () => {
    // The orchestrator's default bounds: a 50k-line outbox, 10k of it per preview, 2,000 lines/s each.
    const s = (stack = await startLogsStack({ sink: { bufferLines: 50_000, previewBufferLines: 10_000, rate } }));
    const alice = await s.token("alice");
    const bob = await s.token("bob");
    const quiet = await launchRunning(s, bob, quietApp);
    const spammer = await launchRunning(s, alice, spammerApp);
    const messagesOf = (previewId: string) =>
      s.query<{ message: string; source: string }>("logs", "select message, source from log_lines where preview_id = ? order by id", previewId);

    const wanted = 60; // six seconds of the quiet preview's life next to the spammer
    const startedAt = await eventually(() => {
      const n = messagesOf(quiet.previewId).filter((l) => l.message.startsWith("quiet-")).length;
      return n > 0 ? n : undefined;
    });
    await eventually(() => (messagesOf(quiet.previewId).some((l) => l.message === `quiet-${startedAt + wanted}`) ? true : undefined), 60_000, "the quiet preview's lines");
    const spamLines = messagesOf(spammer.previewId);
    await stopPreview(s, alice, spammer.generationId);
    await stopPreview(s, bob, quiet.generationId);

    const quietLines = messagesOf(quiet.previewId);
    const numbers = quietLines.flatMap((l) => (/^quiet-(\d+)$/.exec(l.message) ? [Number(l.message.slice(6))] : []));
    // Every line it printed, from its first: none missing, none twice, no drop marker.
    expect(numbers).toEqual(numbers.map((_, i) => i));
    expect(numbers.length).toBeGreaterThan(wanted);
    expect(quietLines.filter((l) => l.message.includes("dropped"))).toEqual([]);

    // The spammer's own loss is there, and it says why: over its rate (or, if the logs service fell
    // behind even so, that), never an outage that did not happen.
    const markers = spamLines.filter((l) => / lines dropped/.test(l.message));
    const overRate = markers.filter((l) => l.message === rateDropMessage(Number(l.message.split(" ")[0]), rate.linesPerSecond));
    expect(overRate.length).toBeGreaterThan(0);
    expect(markers.every((l) => l.source === "system")).toBe(true);
    expect(markers.filter((l) => l.message.includes("unreachable"))).toEqual([]);
  });
});
