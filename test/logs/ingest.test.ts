import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { testInternalToken } from "../support/test-orchestrator.ts";
import { type LogsStack, startLogsStack } from "./support/stack.ts";

let stack: LogsStack;
beforeAll(async () => {
  stack = await startLogsStack({ logs: { RETENTION_LINES: "10", MAX_INGEST_BYTES: "4096" } });
});
afterAll(() => stack.dispose());

const line = (previewId: string, seq: number, message: string) =>
  JSON.stringify({ type: "line", previewId, seq, timestamp: new Date().toISOString(), level: "INFO", source: "stdout", message });
const ingest = async (body: string) => {
  const send = () => callApi<{ stored: number } & ErrorEnvelope>(stack.logsUrl, "POST", "/internal/logs", {
    rawBody: body,
    headers: { "x-internal-token": testInternalToken, "content-type": "application/x-ndjson" },
  });
  // A pooled keep-alive connection to the previous process may still be handed out once after a restart.
  return send().catch(send);
};
const stored = (previewId: string) =>
  stack.query<{ id: number; message: string }>("logs", "select id, message from log_lines where preview_id = ? order by id", previewId);

describe("ingest", () => {
  it("stores a batch with per-preview ids and ignores a retried batch", async () => {
    const batch = [line("p1", 1, "one"), line("p1", 2, "two"), line("p2", 1, "other"), JSON.stringify({ type: "status", previewId: "p1", seq: 3, status: "running" })].join("\n") + "\n";
    expect((await ingest(batch)).body.stored).toBe(4);
    expect((await ingest(batch)).body.stored).toBe(0);
    expect(stored("p1")).toEqual([{ id: 1, message: "one" }, { id: 2, message: "two" }]);
    expect(stored("p2")).toEqual([{ id: 1, message: "other" }]);
    expect(stack.query("logs", "select status from log_previews where preview_id = 'p1'")).toEqual([{ status: "running" }]);
  });

  it("never reuses an id: not after retention removed lines, not across a restart", async () => {
    const lines = Array.from({ length: 25 }, (_, i) => line("p3", i + 1, `r${i}`)).join("\n");
    await ingest(lines);
    const kept = stored("p3");
    expect(kept.length).toBeLessThanOrEqual(10);
    expect(kept.at(-1)?.message).toMatch(/^Removed the \d+ oldest lines/);
    const lastId = kept.at(-1)?.id ?? 0;
    expect(lastId).toBeGreaterThan(25);

    await stack.stopLogs();
    await stack.startLogs();
    await ingest(line("p3", 26, "after restart"));
    expect(stored("p3").find((r) => r.message === "after restart")?.id).toBe(lastId + 1);
  });

  it("rejects a bad batch whole, with a 400 naming the line and the field", async () => {
    const res = await ingest([line("p4", 1, "fine"), JSON.stringify({ type: "line", previewId: "p4", seq: 2, timestamp: "t", level: "LOUD", source: "stdout", message: "x" })].join("\n"));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Line 2: invalid record at "level"/);
    expect(res.body.error.details).toMatchObject({ line: 2 });
    expect(stored("p4")).toEqual([]);

    const extra = await ingest(JSON.stringify({ type: "status", previewId: "p4", seq: 1, status: "running", extra: 1 }));
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toMatch(/^Line 1: .*"extra"/);
    const notJson = await ingest("{nope");
    expect(notJson.body.error).toMatchObject({ code: "invalid_request", details: { line: 1 } });
    const tooBig = await ingest(line("p4", 1, "x".repeat(5000)));
    expect(tooBig.status).toBe(413);
    const notUtf8 = await callApi<ErrorEnvelope>(stack.logsUrl, "POST", "/internal/logs", { rawBody: new Uint8Array([0xff, 0xfe]), headers: { "x-internal-token": testInternalToken } });
    expect(notUtf8.body.error.message).toContain("UTF-8");
  });
});
