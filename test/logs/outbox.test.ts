import { describe, expect, it } from "vitest";
import { dropMessage, Outbox } from "../../libs/logs/outbox.ts";
import { systemLine } from "../../libs/logsink/contract.ts";

const records = (o: Outbox) => o.peek(1000, 1 << 20).body.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the sink's outbox", () => {
  it("keeps order and per-preview sequence numbers, and counts what overflowed where the gap is", () => {
    const o = new Outbox(2);
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
});
