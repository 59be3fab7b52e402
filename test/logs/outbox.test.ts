import { describe, expect, it } from "vitest";
import { rateDropMessage } from "../../libs/logs/line-budget.ts";
import { dropMessage, Outbox, slowDropMessage } from "../../libs/logs/outbox.ts";
import { type LogLineInput, systemLine } from "../../libs/logsink/contract.ts";
import { makeIngestBudget } from "../../services/logs/ingest-budget.ts";

const output = (message: string): LogLineInput => ({ timestamp: new Date().toISOString(), level: "INFO", source: "stdout", message });

const records = (o: Outbox) => o.peek(1000, 1 << 20).body.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the sink's outbox", () => {
  it("keeps order and per-preview sequence numbers, and counts what overflowed where the gap is", () => {
    const o = new Outbox(2);
    o.unreachable = true; // as the sink sets it when a delivery fails
    o.pushLine("a", systemLine("1"));
    o.pushStatus("a", "running");
    o.pushLine("b", systemLine("b1"));
    o.pushLine("a", systemLine("dropped 1"));
    o.pushLine("a", systemLine("dropped 2"));
    expect(records(o).map((r) => [r.previewId, r.seq, r.message ?? r.status])).toEqual([["a", 1, "1"], ["a", 2, "running"], ["b", 1, "b1"]]);
    o.ack(2);
    o.pushLine("a", systemLine("after"));
    o.markAllDrops();
    expect(records(o).map((r) => r.message)).toEqual(["b1", dropMessage(2), "after"]);
    expect(o.size).toBe(3);
  });

  it("cuts a batch at its byte limit but always sends at least one record", () => {
    const o = new Outbox(10);
    for (let i = 0; i < 5; i++) o.pushLine("a", systemLine("x".repeat(100)));
    expect(o.peek(1000, 10).count).toBe(1);
    const one = o.peek(1, 1 << 20).body.length;
    expect(o.peek(1000, one * 2 + 1).count).toBe(2);
    expect(o.peek(3, 1 << 20).count).toBe(3);
  });

  it("numbers records above the floor it is given (a restarted sink's start time), never from 1 again", () => {
    const floor = Date.now() * 1000;
    const o = new Outbox(10, { seqFloor: floor });
    o.pushLine("a", output("x"));
    o.pushStatus("a", "running");
    expect(records(o).map((r) => r.seq)).toEqual([floor + 1, floor + 2]);
  });

  it("a preview over its rate loses only its own lines, and the marker says it wrote too fast", () => {
    const o = new Outbox(1000, { rate: { linesPerSecond: 50, burstLines: 10 } });
    for (let i = 0; i < 500; i++) {
      o.pushLine("spam", output(`spam-${i}`));
      if (i % 100 === 0) o.pushLine("quiet", output(`quiet-${i / 100}`));
    }
    o.pushLine("spam", systemLine("the platform's own line always passes"));
    const all = records(o);
    const quiet = all.filter((r) => r.previewId === "quiet").map((r) => r.message);
    expect(quiet).toEqual(["quiet-0", "quiet-1", "quiet-2", "quiet-3", "quiet-4"]);
    const spam = all.filter((r) => r.previewId === "spam").map((r) => r.message as string);
    const kept = spam.filter((m) => m.startsWith("spam-")).length;
    expect(kept).toBeGreaterThanOrEqual(10);
    expect(kept).toBeLessThan(500);
    // One marker per gap (a slow machine may refill a token mid-loop): together they count every line not kept.
    const markers = spam.filter((m) => m.includes(" lines dropped"));
    expect(markers).toEqual(markers.map((m) => rateDropMessage(Number(m.split(" ")[0]), 50)));
    expect(markers.reduce((sum, m) => sum + Number(m.split(" ")[0]), 0)).toBe(500 - kept);
    expect(spam.slice(-2)).toEqual([markers.at(-1), "the platform's own line always passes"]);
  });

  it("holds each preview to its share of the queue, so one that floods it leaves room for the rest", () => {
    const o = new Outbox(100, { perPreviewLines: 10 });
    for (let i = 0; i < 50; i++) o.pushLine("flood", output(`f-${i}`));
    for (let i = 0; i < 5; i++) o.pushLine("quiet", output(`q-${i}`));
    expect(records(o).filter((r) => r.previewId === "quiet")).toHaveLength(5);
    o.ack(o.size);
    o.markAllDrops();
    // Dropped while deliveries worked: the marker does not blame an outage.
    expect(records(o).map((r) => r.message)).toEqual([slowDropMessage(40)]);
  });
});

describe("the logs service's ingest budget", () => {
  const line = (previewId: string, seq: number, source: "stdout" | "system" = "stdout") =>
    ({ type: "line" as const, previewId, seq, timestamp: "t", level: "INFO" as const, source, message: `${previewId}-${seq}` });

  it("stores a preview's lines up to its budget, turns the last one dropped into the marker, and leaves others alone", () => {
    const budget = makeIngestBudget({ linesPerSecond: 100, burstLines: 3 }, () => 0);
    const batch = [1, 2, 3, 4, 5, 6].flatMap((seq) => [line("spam", seq), ...(seq % 3 === 0 ? [line("quiet", seq / 3)] : [])]);
    const stored = budget([...batch, line("spam", 7, "system"), { type: "status", previewId: "spam", seq: 8, status: "stopped" }]);
    expect(stored.map((r) => [r.previewId, r.seq, r.type === "line" ? r.message : r.status])).toEqual([
      ["spam", 1, "spam-1"], ["spam", 2, "spam-2"], ["spam", 3, "spam-3"], ["quiet", 1, "quiet-1"],
      ["spam", 6, rateDropMessage(3, 100)], ["quiet", 2, "quiet-2"], ["spam", 7, "spam-7"], ["spam", 8, "stopped"],
    ]);
    // A final status forgets the bucket: a preview id seen again starts with a full burst.
    expect(budget([line("spam", 9), line("spam", 10)])).toHaveLength(2);
  });
});
