import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { outputDirOf } from "../../libs/runtime/output-pipes.ts";
import { detectCgroups } from "../../libs/runtime/cgroups.ts";
import { isRunningProcess, readStartTicks } from "../../libs/runtime/process-identity.ts";
import { callApi, eventually } from "../support/api.ts";
import { releaseMountsUnder } from "../support/mounts.ts";
import { type OrchestratorProcess, spawnOrchestrator } from "../support/orchestrator-process.ts";
import { previewPath } from "../support/previews.ts";
import { processAlive } from "../support/processes.ts";
import { testJwtSecret } from "../support/test-orchestrator.ts";
import { imagesDir, requireImage } from "../sandbox/support.ts";

/** Starts a child that leaves the preview's process group (its own session), and notes its pid. */
const app = {
  "main.py": [
    "import subprocess",
    "from fastapi import FastAPI",
    "sleeper = subprocess.Popen(['sleep', '1000'], start_new_session=True)",
    "open('sleeper.pid', 'w').write(str(sleeper.pid))",
    "app = FastAPI()",
    "",
    "@app.get('/hello')",
    "def hello():",
    "    return {'message': 'hi'}",
    "",
  ].join("\n"),
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const graceSeconds = 3;
const runtimes = [
  { name: "host", env: { ORCHESTRATOR_RUNTIME: "host" } },
  { name: "sandbox", env: { ORCHESTRATOR_RUNTIME: "sandbox", ORCHESTRATOR_RUNTIME_IMAGE_DIR: imagesDir, ORCHESTRATOR_RUNTIME_AUTO_BUILD: "false", ORCHESTRATOR_WARM_POOL_SIZE: "0" } },
];

const rowOf = (dataDir: string, previewId: string) => {
  const db = new DatabaseSync(join(dataDir, "orchestrator.db"), { readOnly: true });
  try {
    return db.prepare("select pid, process_start_ticks as ticks, status, work_dir as workDir, error_message as errorMessage from previews where id = ?").get(previewId) as
      { pid: number; ticks: string; status: string; workDir: string; errorMessage: string | null };
  } finally {
    db.close();
  }
};

/** The guard noted beside the preview's output FIFOs: its pid, if that process is still the guard. */
const guardOf = (workDir: string): number | undefined => {
  const [pid = "", ticks = ""] = readFileSync(join(outputDirOf(workDir), "guard"), "utf8").trim().split(" ");
  return isRunningProcess(Number(pid), ticks) ? Number(pid) : undefined;
};

describe("a preview no orchestrator comes back for stops itself", () => {
  it.each(runtimes)("$name runtime: it runs on while its orchestrator beats, stops once none has for the grace, its guard with it; the next orchestrator ends the row", async (runtime) => {
    if (runtime.name === "sandbox") requireImage();
    const dataDir = mkdtempSync(join(tmpdir(), "orphan-"));
    cleanups.push(async () => {
      await releaseMountsUnder(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = { ORCHESTRATOR_ORPHAN_GRACE_SECONDS: String(graceSeconds), ORCHESTRATOR_STOP_GRACE_MS: "1000", ...runtime.env };
    let orchestrator: OrchestratorProcess = await spawnOrchestrator(dataDir, env);
    cleanups.push(async () => {
      if (orchestrator.child.exitCode === null && orchestrator.child.signalCode === null) await orchestrator.crash();
    });
    const token = await signUserToken(testJwtSecret, "alice");
    const created = await callApi<{ generationId: string }>(orchestrator.url, "POST", "/api/generations", { token, json: { files: app } });
    const generationId = created.body.generationId;
    const launched = await callApi(orchestrator.url, "POST", `${previewPath(generationId)}/launch`, { token, json: { wait: true } });
    expect(launched.status).toBe(200);
    const previewId = launched.body.previewInstanceId as string;
    const launchedAt = Date.now();
    const row = rowOf(dataDir, previewId);
    cleanups.push(() => {
      if (isRunningProcess(row.pid, row.ticks)) process.kill(-row.pid, "SIGKILL");
    });
    // On the host the sleeper's pid is ours to see (in the sandbox it is in the preview's PID namespace, which ends with it).
    const sleeper = runtime.name === "host" ? Number(readFileSync(join(row.workDir, "sleeper.pid"), "utf8")) : undefined;
    const sleeperTicks = sleeper === undefined ? undefined : readStartTicks(sleeper);
    expect(sleeper === undefined || sleeperTicks !== undefined).toBe(true);
    if (sleeper !== undefined) cleanups.push(() => {
      if (processAlive(sleeper)) process.kill(sleeper, "SIGKILL");
    });
    const guard = guardOf(row.workDir);
    expect(guard).toBeDefined();
    expect(readFileSync(`/proc/${guard}/cmdline`, "utf8")).toContain("orphan-guard");

    // Well past the grace with the orchestrator beating: the preview still runs.
    await eventually(() => (Date.now() > launchedAt + (graceSeconds + 6) * 1000 ? true : undefined), 30_000, "the grace to pass several times over");
    expect(isRunningProcess(row.pid, row.ticks)).toBe(true);
    expect(guardOf(row.workDir)).toBe(guard);

    await orchestrator.crash(); // SIGKILL: no finalizer runs, and no orchestrator comes back for a while
    expect(isRunningProcess(row.pid, row.ticks)).toBe(true);
    await eventually(() => (isRunningProcess(row.pid, row.ticks) ? undefined : true), 60_000, "the orphaned preview to stop itself");
    await eventually(() => (guard !== undefined && processAlive(guard) && readStartTicks(guard) !== undefined ? undefined : true), 20_000, "its guard to end");
    // What left the group went too: the guard kills what is still in the preview's cgroups.
    if (sleeper !== undefined && detectCgroups().kind !== "none") {
      await eventually(() => (isRunningProcess(sleeper, sleeperTicks ?? "") ? undefined : true), 20_000, "the child that left the group to be gone");
    }

    // The orchestrator that does come back finds the process gone and ends the row.
    orchestrator = await spawnOrchestrator(dataDir, env);
    expect(rowOf(dataDir, previewId)).toMatchObject({ status: "crashed", errorMessage: "The preview's process was gone when the orchestrator restarted" });
    expect(existsSync(row.workDir)).toBe(false);
  }, 180_000);
});
