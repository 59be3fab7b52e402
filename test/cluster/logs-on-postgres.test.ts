import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { printerApp } from "../logs/support/log-apps.ts";
import { launchRunning, logsPath, printLines, stopPreview } from "../logs/support/previews.ts";
import { type LogsStack, startLogsStack } from "../logs/support/stack.ts";
import { psql as psqlAt, startTestPostgres } from "./support/servers.ts";

// The real logs service (split deployment, HTTP sink from the real orchestrator) with
// DATABASE_URL=postgres://…: lines land in PostgreSQL, are served from it, and outlive the service.
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let stack: LogsStack;
let token: string;
let generationId: string;
let previewId: string;
let port: number;

const psql = (sql: string) => psqlAt(pg.url, sql);

beforeAll(async () => {
  pg = await startTestPostgres();
  stack = await startLogsStack({ logsEnv: { DATABASE_URL: pg.url } });
  token = await stack.token("alice");
  const launched = await launchRunning(stack, token, printerApp);
  generationId = launched.generationId;
  previewId = launched.previewId;
  port = launched.port;
  await printLines(launched.port, 50, "pg");
});

afterAll(async () => {
  if (stack !== undefined) {
    await stopPreview(stack, token, generationId);
    await stack.dispose();
  }
  await pg?.dispose();
});

interface Page { readonly logs: Array<{ id: number; message: string }>; readonly nextAfter: number }
const history = () => callApi<Page>(stack.logsUrl, "GET", `${logsPath(generationId)}?limit=1000`, { token });

const printedAll = () =>
  eventually(async () => {
    const page = await history();
    return page.body.logs.filter((l) => l.message.startsWith("pg-")).length === 50 ? page.body.logs : undefined;
  }, 30_000, "the 50 printed lines");

describe("logs service on PostgreSQL", () => {
  it("stores the preview's lines in PostgreSQL, not in a SQLite file, and serves them from there", async () => {
    const served = await printedAll();
    expect(served.map((l) => l.id)).toEqual(served.map((_, i) => i + 1));
    const inDb = Number(psql(`select count(*) from log_lines where preview_id = '${previewId}' and message like 'pg-%'`));
    expect(inDb).toBe(50);
    expect(psql(`select last_id from log_previews where preview_id = '${previewId}'`)).toBe(String(served.at(-1)?.id));
    // No logs.db was made: reading it fails (the orchestrator's own file is there, as it is not under test).
    expect(() => stack.query("logs", "select 1")).toThrow();
  });

  it("a restarted logs service serves the same history and goes on numbering after it", async () => {
    const before = await printedAll();
    await stack.stopLogs();
    await stack.startLogs();
    const after = await history();
    expect(after.body.logs.slice(0, before.length)).toEqual(before);
    await printLines(port, 5, "again");
    const more = await eventually(async () => {
      const page = await history();
      return page.body.logs.filter((l) => l.message.startsWith("again-")).length === 5 ? page.body.logs : undefined;
    }, 30_000, "the lines printed after the restart");
    expect(more.map((l) => l.id)).toEqual(more.map((_, i) => i + 1));
    expect(more.length).toBeGreaterThanOrEqual(before.length + 5);
  });

  it("PostgreSQL restarted under it: the service reconnects by itself, and no line the sink sent is lost", async () => {
    await pg.stop();
    await printLines(port, 20, "down"); // the sink's batches fail while the server is down; it retries
    await pg.start();
    const all = await eventually(async () => {
      const page = await history();
      return page.body.logs.filter((l) => l.message.startsWith("down-")).length === 20 ? page.body.logs : undefined;
    }, 60_000, "the lines printed while PostgreSQL was down");
    expect(all.map((l) => l.id)).toEqual(all.map((_, i) => i + 1));
    expect(all.filter((l) => l.message.startsWith("down-")).map((l) => l.message)).toEqual(Array.from({ length: 20 }, (_, i) => `down-${i} `));
  });
});
