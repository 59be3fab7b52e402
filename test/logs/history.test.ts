import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope, eventually } from "../support/api.ts";
import { printerApp } from "./support/log-apps.ts";
import { launchRunning, logsPath, printLines, stopPreview } from "./support/previews.ts";
import { type LogEvent, SseClient } from "./support/sse-client.ts";
import { type LogsStack, startLogsStack } from "./support/stack.ts";

// Above a whole traceback (uvicorn's for an exception in a route runs to about a hundred lines),
// so the level test sees it all; the retention test then prints past it.
const retentionLines = 300;
let stack: LogsStack;
let token: string;
let generationId: string;
let previewPort: number;
beforeAll(async () => {
  stack = await startLogsStack({ logs: { RETENTION_LINES: String(retentionLines) } });
  token = await stack.token("alice");
  const launched = await launchRunning(stack, token, {
    ...printerApp,
    "main.py": `${printerApp["main.py"]}\n@app.get('/boom')\ndef boom():\n    raise ValueError('kaboom')\n`,
  });
  generationId = launched.generationId;
  previewPort = launched.port;
  await printLines(launched.port, 60, "hist");
  await fetch(`http://127.0.0.1:${launched.port}/boom`).then((r) => r.text());
});
afterAll(async () => {
  await stopPreview(stack, token, generationId);
  await stack.dispose();
});

interface Page { readonly logs: LogEvent[]; readonly nextAfter: number; readonly previewInstanceId: string }
const history = (query: string) => callApi<Page>(stack.logsUrl, "GET", `${logsPath(generationId)}${query}`, { token });

/** The traceback's ERROR lines, once everything /boom printed is stored (uvicorn's access line may come after the traceback). */
const waitForTraceback = () =>
  eventually(async () => {
    const res = await history("?level=ERROR&limit=1000");
    const all = await history("?limit=1000");
    const settled = res.body.logs.some((l) => l.message.startsWith("ValueError: kaboom")) && all.body.logs.some((l) => l.message.includes('"GET /boom HTTP/1.1" 500'));
    return settled ? res.body.logs : undefined;
  }, 30_000, "the traceback");

describe("history and export", () => {
  it("pages through history with after, limit and nextAfter", async () => {
    await waitForTraceback();
    const first = await history("?limit=10");
    expect(first.status).toBe(200);
    expect(first.body.logs).toHaveLength(10);
    const second = await history(`?after=${first.body.nextAfter}&limit=10`);
    expect(second.body.logs[0]?.id).toBe(first.body.nextAfter + 1);
    const end = await history("?after=999999");
    expect(end.body).toMatchObject({ logs: [], nextAfter: 999999 });
  });

  it("filters by level: a traceback's lines are ERROR, the printed lines are not", async () => {
    const errors = await waitForTraceback();
    expect(errors.some((l) => l.message.startsWith("Traceback (most recent call last):"))).toBe(true);
    expect(errors.every((l) => l.level === "ERROR")).toBe(true);
    expect(errors.some((l) => l.message.startsWith("hist-"))).toBe(false);
  });

  it("exports as text or NDJSON, as a download", async () => {
    await waitForTraceback();
    const text = await fetch(`${stack.logsUrl}${logsPath(generationId)}/export`, { headers: { authorization: `Bearer ${token}` } });
    expect(text.status).toBe(200);
    expect(text.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(text.headers.get("content-disposition")).toMatch(/^attachment; filename="preview-\w+-logs\.txt"$/);
    const lines = (await text.text()).trimEnd().split("\n");
    expect(lines.some((l) => / INFO {2}\[stdout\] hist-59 $/.test(l))).toBe(true);

    const nd = await fetch(`${stack.logsUrl}${logsPath(generationId)}/export?format=ndjson`, { headers: { authorization: `Bearer ${token}` } });
    expect(nd.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const records = (await nd.text()).trimEnd().split("\n").map((l) => JSON.parse(l) as LogEvent);
    const all = await history("?limit=1000");
    expect(records).toEqual(all.body.logs);
  });

  it("rejects bad parameters with a 400 that names them", async () => {
    for (const [query, field] of [["?limit=0", "limit"], ["?limit=abc", "limit"], ["?after=-1", "after"], ["?level=LOUD", "level"], ["/export?format=pdf", "format"], ["/stream?tail=x", "tail"], ["/stream?lastEventId=1.5", "lastEventId"]] as const) {
      const res = await callApi<ErrorEnvelope>(stack.logsUrl, "GET", `${logsPath(generationId)}${query}`, { token });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "invalid_request", details: { field } });
    }
    const header = await callApi<ErrorEnvelope>(stack.logsUrl, "GET", `${logsPath(generationId)}/stream`, { token, headers: { "last-event-id": "abc" } });
    expect(header.body.error.details).toMatchObject({ field: "Last-Event-ID" });
  });

  it("answers preview_not_found for a generation with no preview, yet gives it a stream token", async () => {
    const created = await callApi<{ generationId: string }>(stack.orchestratorUrl, "POST", "/api/generations", { token, json: { files: printerApp } });
    const path = logsPath(created.body.generationId);
    expect((await callApi<ErrorEnvelope>(stack.logsUrl, "GET", path, { token })).body.error.code).toBe("preview_not_found");
    expect((await callApi<ErrorEnvelope>(stack.logsUrl, "GET", `${path}/stream`, { token })).status).toBe(404);
    expect((await callApi(stack.logsUrl, "POST", `${path}/token`, { token })).status).toBe(200);
  });
  // Last: it prints past the retention limit, which removes what the tests above read.
  it("keeps at most the retention limit per preview, removes the oldest and says so", async () => {
    await waitForTraceback();
    await printLines(previewPort, retentionLines + 100, "more");
    const all = await eventually(async () => {
      const res = await history("?limit=1000");
      return res.body.logs.some((l) => l.message.startsWith(`more-${retentionLines + 99} `)) ? res : undefined;
    }, 30_000, "the last printed line");
    expect(all.body.logs.length).toBeLessThanOrEqual(retentionLines);
    expect(all.body.logs[0]?.id).toBeGreaterThan(1);
    const notice = all.body.logs.find((l) => l.source === "system" && l.message.startsWith("Removed the "));
    expect(notice).toMatchObject({ level: "WARN" });
    expect(notice?.message).toMatch(/^Removed the \d+ oldest lines \(\d+ bytes\) to stay within the retention limit of 300 lines/);

    // A tail longer than what is retained replays all that is retained.
    const tailed = await SseClient.open(`${stack.logsUrl}${logsPath(generationId)}/stream?tail=${retentionLines * 10}`, { authorization: `Bearer ${token}` });
    const last = all.body.logs.at(-1);
    await tailed.waitForLog((l) => l.id === last?.id);
    await tailed.close();
    expect(tailed.logs.map((l) => l.id).slice(0, all.body.logs.length)).toEqual(all.body.logs.map((l) => l.id));
  });
});
