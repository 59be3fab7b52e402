import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DeliveryLedger, takeLostLines } from "../../libs/logs/delivery-ledger.ts";
import { Outbox } from "../../libs/logs/outbox.ts";
import { type LogLineInput, systemLine } from "../../libs/logsink/contract.ts";
import { lostLinesNote } from "../../services/orchestrator/preview-supervisor.ts";

const output = (message: string): LogLineInput => ({ timestamp: new Date().toISOString(), level: "INFO", source: "stdout", message });
/** The ledger is written once the code that took the lines is done (a microtask later). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a restarted orchestrator would read now (from a copy: the running ledger keeps its file open). */
const lostNow = (dir: string, previewId: string) => {
  copyFileSync(join(dir, previewId), join(dir, `${previewId}.copy`));
  return takeLostLines(dir, `${previewId}.copy`);
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const ledgerDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "ledger-"));
  dirs.push(dir);
  return join(dir, ".ledgers");
};

describe("the delivery ledger", () => {
  it("counts a preview's output lines taken, on their way and settled, so a crash's loss reads as a range, then exactly", async () => {
    const dir = ledgerDir();
    const outbox = new Outbox(100, { ledger: new DeliveryLedger(dir) });
    for (let i = 0; i < 5; i++) outbox.pushLine("p1", output(`line ${i}`));
    outbox.pushLine("p1", systemLine("the platform's own line is no output of the preview"));
    outbox.pushLine("p2", output("other"));
    await settle();
    // Nothing sent yet: all five would be lost.
    expect(lostNow(dir, "p1")).toEqual({ atLeast: 5, atMost: 5 });
    expect(takeLostLines(dir, "p1.copy")).toBeUndefined(); // taken once: the next orchestrator keeps its own

    outbox.pushLine("p1", output("line 5"));
    outbox.sending(3);
    await settle();
    // Three on their way (they may have arrived), the rest surely lost.
    expect(lostNow(dir, "p1")).toEqual({ atLeast: 3, atMost: 6 });
    outbox.sending(0);
    outbox.ack(3);
    await settle();
    expect(lostNow(dir, "p1")).toEqual({ atLeast: 3, atMost: 3 });
    expect(takeLostLines(dir, "p2")).toEqual({ atLeast: 1, atMost: 1 });
  });

  it("settles lines dropped for room with the marker that counts them, and forgets a preview once its end is delivered", async () => {
    const dir = ledgerDir();
    const outbox = new Outbox(2, { ledger: new DeliveryLedger(dir) });
    for (let i = 0; i < 5; i++) outbox.pushLine("p1", output(`line ${i}`));
    outbox.ack(outbox.peek(100, 1 << 20).count);
    outbox.markAllDrops(); // the marker for the three that found no room
    outbox.ack(outbox.peek(100, 1 << 20).count);
    await settle();
    expect(existsSync(join(dir, "p1"))).toBe(true);
    outbox.pushStatus("p1", "stopped");
    outbox.ack(outbox.peek(100, 1 << 20).count);
    await settle();
    expect(existsSync(join(dir, "p1"))).toBe(false);

    const again = new Outbox(2, { ledger: new DeliveryLedger(dir) });
    for (let i = 0; i < 5; i++) again.pushLine("p3", output(`line ${i}`));
    again.ack(again.peek(100, 1 << 20).count);
    again.markAllDrops();
    again.ack(again.peek(100, 1 << 20).count);
    await settle();
    expect(takeLostLines(dir, "p3")).toEqual({ atLeast: 0, atMost: 0 });
  });

  it("is said in the re-adoption line: none, a count, a range with the lines on their way, or unknown", () => {
    expect(lostLinesNote({ atLeast: 0, atMost: 0 })).toBe("no line was lost");
    expect(lostLinesNote({ atLeast: 1, atMost: 1 })).toBe("1 line the previous orchestrator had read but not yet delivered when it stopped is lost");
    expect(lostLinesNote({ atLeast: 37, atMost: 37 })).toBe("37 lines the previous orchestrator had read but not yet delivered when it stopped are lost");
    expect(lostLinesNote({ atLeast: 0, atMost: 2 })).toBe(
      "0 to 2 lines the previous orchestrator had read but not yet delivered when it stopped are lost (2 were on the way to the logs service, and may have arrived)");
    expect(lostLinesNote(undefined)).toContain("if any, are missing");
  });
});
