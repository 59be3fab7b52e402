import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import getPort from "get-port";
import { afterAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { startPlatformProcess } from "../support/platform-process.ts";
import { pidsUsingDataDir } from "../support/processes.ts";
import { readEvents } from "../smoke/sse-reader.ts";
import type { LogLine } from "../../libs/logs/schemas.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), "shutdown-"));
  dirs.push(d);
  return d;
};
/** Every stored line of the generation's preview, page by page, through GET .../preview/logs. */
const storedHistory = async (gateway: string, token: string, generationId: string): Promise<LogLine[]> => {
  const lines: LogLine[] = [];
  for (let after = 0; ;) {
    const page = await callApi<{ logs: LogLine[]; nextAfter: number }>(gateway, "GET", `/api/generations/${generationId}/preview/logs?after=${after}&limit=1000`, { token });
    expect(page.status).toBe(200);
    lines.push(...page.body.logs);
    if (page.body.logs.length < 1000) return lines;
    after = page.body.nextAfter;
  }
};
const notServing = async (port: number): Promise<boolean> => {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
  return res === undefined || res.status === 503;
};

describe.each(["node", "deno"] as const)("graceful shutdown on %s", (runtime) => {
  it("finishes a request that was in flight when SIGTERM came", async () => {
    const dataDir = freshDir();
    writeFileSync(join(dataDir, "secrets.json"), JSON.stringify({ jwtSecret: "j".repeat(32), internalToken: "internal-token-for-shutdown" }));
    const port = await getPort();
    const service = spawn("scripts/run-service.sh", ["extractor"], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, EXTRACTOR_PORT: String(port), EXTRACTOR_JS_RUNTIME: runtime },
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => service.once("exit", (code) => resolve(code)));
    await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok ? true : undefined), 30_000, "the extractor");

    const body = JSON.stringify({ files: helloApp });
    const half = Math.floor(body.length / 2);
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "POST", path: "/internal/extract", headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "x-internal-token": "internal-token-for-shutdown" } }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => { text += d.toString(); });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      req.write(body.slice(0, half));
      // The rest of the body goes only once the service has stopped taking new connections.
      void (async () => {
        await new Promise((r) => setTimeout(r, 300));
        service.kill("SIGTERM");
        // Node stops accepting connections; Deno answers new requests 503 until the in-flight ones are done.
        await eventually(async () => ((await notServing(port)) ? true : undefined), 10_000, "the service to stop taking requests");
        req.end(body.slice(half));
      })();
    });
    const { status, text } = await answer;
    expect(status).toBe(200);
    expect((JSON.parse(text) as { endpoints: Array<{ path: string }> }).endpoints.map((e) => e.path)).toEqual(["/hello"]);
    expect(await exited).toBe(0);
  });

  it("ends log streams so clients can resume, closes the databases and stops every preview", async () => {
    const dataDir = freshDir();
    const env = runtime === "deno" ? { PLATFORM_JS_RUNTIME: "deno" } : {};
    const first = await startPlatformProcess({ dataDir, env });
    const token = execFileSync("npm", ["run", "--silent", "token", "--", "shutdown"], { env: first.env }).toString().trim();
    const created = await callApi<{ generationId: string }>(first.gateway, "POST", "/api/generations", { token, json: { files: helloApp } });
    const generationId = created.body.generationId;
    expect((await callApi(first.gateway, "POST", `/api/generations/${generationId}/preview/launch`, { token, json: { wait: true } })).status).toBe(200);
    const streamUrl = async (gateway: string) => {
      const { body } = await callApi(gateway, "POST", `/api/generations/${generationId}/preview/logs/token`, { token });
      return `${gateway}/api/generations/${generationId}/preview/logs/stream?token=${encodeURIComponent(body.token as string)}`;
    };
    const stream = await fetch(await streamUrl(first.gateway));
    expect(stream.status).toBe(200);
    // Read until the startup lines are in, then until the stream ends: SIGTERM must end it.
    let sawStartup = false;
    const reading = readEvents(stream, (events) => {
      if (!sawStartup && events.some((e) => e.data.includes("Uvicorn running on"))) {
        sawStartup = true;
        first.process.kill("SIGTERM");
      }
      return false;
    });
    const events = await reading;
    // What the stream delivered, if it ended before uvicorn's startup line: the cause is in its last events.
    expect(sawStartup, JSON.stringify(events.slice(-8))).toBe(true);
    expect(await first.exited).toBe(0);
    const firstLines = events.filter((e) => e.event === "log");
    const lastId = Number(firstLines.at(-1)?.id);
    expect(Number.isSafeInteger(lastId) && lastId > 0).toBe(true);
    await eventually(() => (pidsUsingDataDir(dataDir).length === 0 ? true : undefined), 20_000, "no process left");
    expect(readdirSync(dataDir).filter((f) => f.endsWith("-wal") || f.endsWith("-shm"))).toEqual([]);
    expect(readdirSync(join(dataDir, "previews"))).toEqual([]);

    // Back up on the same data: the stream resumes right after the last id it delivered.
    const second = await startPlatformProcess({ dataDir, env });
    const resumed = await readEvents(await fetch(await streamUrl(second.gateway), { headers: { "last-event-id": String(lastId) } }),
      (evs) => evs.some((e) => e.event === "status" && e.data.includes("stopped")));
    const resumedLines = resumed.filter((e) => e.event === "log");
    expect(resumed.filter((e) => e.event === "status").at(-1)?.data).toContain("stopped");
    // The stored history, read through the logs HTTP API: the resumed stream is exactly what came after lastId,
    // and the two streams together are the whole history, with nothing missing and nothing twice.
    const history = await storedHistory(second.gateway, token, generationId);
    expect(resumedLines.map((e) => JSON.parse(e.data) as LogLine)).toEqual(history.filter((l) => l.id > lastId));
    expect(resumedLines.map((e) => Number(e.id))).toEqual(history.filter((l) => l.id > lastId).map((l) => l.id));
    expect([...firstLines, ...resumedLines].map((e) => Number(e.id))).toEqual(history.map((l) => l.id));
    expect(await second.stop()).toBe(0);
    expect(existsSync(join(dataDir, "orchestrator.db-wal"))).toBe(false);
  }, 240_000); // two platform starts, each up to ~50 s on a loaded 2-core machine
});
