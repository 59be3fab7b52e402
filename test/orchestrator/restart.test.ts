import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { callApi } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { spawnOrchestrator } from "../support/orchestrator-process.ts";
import { previewPath, previewRow, status, upload } from "../support/previews.ts";
import { processAlive } from "../support/processes.ts";
import { startTestOrchestrator, testJwtSecret } from "../support/test-orchestrator.ts";

const dirs: string[] = [];
const strays: number[] = [];
afterEach(() => {
  for (const pid of strays.splice(0)) if (processAlive(pid)) process.kill(-pid, "SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const freshDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "orch-restart-"));
  dirs.push(dir);
  return dir;
};

const launchThroughProcess = async (url: string) => {
  const token = await signUserToken(testJwtSecret, "alice");
  const created = await callApi<{ generationId: string }>(url, "POST", "/api/generations", { token, json: { files: helloApp } });
  const launched = await callApi(url, "POST", `${previewPath(created.body.generationId)}/launch`, { token, json: { wait: true } });
  expect(launched.status).toBe(200);
  return { token, generationId: created.body.generationId, previewId: launched.body.previewInstanceId as string };
};

describe("restarting the orchestrator", () => {
  it("a clean shutdown stops every preview and records why", async () => {
    const dataDir = freshDataDir();
    const first = await startTestOrchestrator({}, { dataDir });
    const token = await first.token("alice");
    const generationId = await upload(first, token, helloApp);
    const launched = await callApi(first.url, "POST", `${previewPath(generationId)}/launch`, { token, json: { wait: true } });
    const row = previewRow(first, launched.body.previewInstanceId as string);
    await first.shutdown();
    expect(processAlive(row.pid as number)).toBe(false);
    expect(existsSync(row.work_dir)).toBe(false);

    const second = await startTestOrchestrator({}, { dataDir });
    const after = await status(second, token, generationId);
    expect(after.body.status).toBe("stopped");
    expect(second.query("select * from port_reservations")).toEqual([]);
    await second.shutdown();
    // A clean close leaves no SQLite WAL behind.
    expect(existsSync(join(dataDir, "orchestrator.db-wal"))).toBe(false);
  });

  it("never kills a process that only has the recorded pid (a recycled pid), but still ends the stale row", async () => {
    const dataDir = freshDataDir();
    const crashed = await spawnOrchestrator(dataDir);
    const { token, generationId, previewId } = await launchThroughProcess(crashed.url);
    await crashed.crash();
    const db = new DatabaseSync(join(dataDir, "orchestrator.db"));
    const pid = (db.prepare("select pid from previews where id = ?").get(previewId) as { pid: number }).pid;
    strays.push(pid);
    // Same pid, another start time: to the orchestrator this is now somebody else's process.
    db.prepare("update previews set process_start_ticks = '1' where id = ?").run(previewId);
    db.close();

    const next = await startTestOrchestrator({}, { dataDir });
    expect(processAlive(pid)).toBe(true);
    const after = await status(next, token, generationId);
    expect(after.body.status).toBe("crashed");
    expect(after.body.errorMessage).toContain("process was gone");
    await next.shutdown();
  });
});
