import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ConfigProvider } from "effect";
import getPort from "get-port";
import { afterEach, describe, expect, it } from "vitest";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { outputDirOf } from "../../libs/runtime/output-pipes.ts";
import { serveLogs } from "../../services/logs/serve-logs.ts";
import { SseClient } from "../logs/support/sse-client.ts";
import { tickerApp, ticksIn } from "../support/fixture-apps.ts";
import { callApi, eventually } from "../support/api.ts";
import { lostLinesSaid } from "../support/lost-lines.ts";
import { releaseMountsUnder } from "../support/mounts.ts";
import { type OrchestratorProcess, spawnOrchestrator } from "../support/orchestrator-process.ts";
import { previewPath } from "../support/previews.ts";
import { processAlive } from "../support/processes.ts";
import { testInternalToken, testJwtSecret } from "../support/test-orchestrator.ts";
import { imagesDir, requireImage } from "../sandbox/support.ts";


const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ticksOf = (client: SseClient) => ticksIn(client.logs);

const runtimes = [
  { name: "host", env: { ORCHESTRATOR_RUNTIME: "host" } },
  { name: "sandbox", env: { ORCHESTRATOR_RUNTIME: "sandbox", ORCHESTRATOR_RUNTIME_IMAGE_DIR: imagesDir, ORCHESTRATOR_RUNTIME_AUTO_BUILD: "false" } },
];

describe("a preview outlives a crash of its orchestrator", () => {
  it.each(runtimes)("$name runtime: after kill -9 of the orchestrator the next one re-adopts the running preview, its log stream goes on with no id repeated or restarted, and stop works", async (runtime) => {
    if (runtime.name === "sandbox") requireImage();
    const dataDir = mkdtempSync(join(tmpdir(), "adopt-"));
    cleanups.push(async () => {
      await releaseMountsUnder(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    });
    const [orchestratorPort, logsPort] = await Promise.all([getPort(), getPort()]);
    const orchestratorUrl = `http://127.0.0.1:${orchestratorPort}`;
    const logsUrl = `http://127.0.0.1:${logsPort}`;
    const logs = await serveLogs({
      configProvider: ConfigProvider.fromUnknown({
        DATA_DIR: dataDir, JWT_SECRET: testJwtSecret, INTERNAL_TOKEN: testInternalToken, PATH: process.env.PATH ?? "/usr/bin:/bin",
        LOGS: { ORCHESTRATOR_URL: orchestratorUrl },
      }),
      logger: makeLogger("logs", () => {}),
      port: logsPort,
    });
    cleanups.push(() => logs.shutdown());
    const orchestratorEnv = { ORCHESTRATOR_LOGS_URL: logsUrl, ORCHESTRATOR_SWEEP_INTERVAL_MS: "200", ...runtime.env };
    let orchestrator: OrchestratorProcess = await spawnOrchestrator(dataDir, orchestratorEnv, orchestratorPort);
    cleanups.push(async () => {
      if (orchestrator.child.exitCode === null && orchestrator.child.signalCode === null) await orchestrator.crash();
    });

    const token = await signUserToken(testJwtSecret, "alice");
    const created = await callApi<{ generationId: string }>(orchestratorUrl, "POST", "/api/generations", { token, json: { files: tickerApp(50) } });
    const generationId = created.body.generationId;
    const launched = await callApi(orchestratorUrl, "POST", `${previewPath(generationId)}/launch`, { token, json: { wait: true } });
    expect(launched.status).toBe(200);
    const previewId = launched.body.previewInstanceId as string;
    const rowOf = () => {
      const db = new DatabaseSync(join(dataDir, "orchestrator.db"), { readOnly: true });
      try {
        return db.prepare("select pid, process_start_ticks as ticks, status, work_dir as workDir from previews where id = ?").get(previewId) as
          { pid: number; ticks: string; status: string; workDir: string };
      } finally {
        db.close();
      }
    };
    const before = rowOf();
    cleanups.push(() => {
      if (processAlive(before.pid)) process.kill(-before.pid, "SIGKILL");
    });

    const client = await SseClient.open(`${logsUrl}${previewPath(generationId)}/logs/stream`, { authorization: `Bearer ${token}` });
    cleanups.push(() => client.close());
    await client.waitForLog((l) => l.message === "tick-5");

    await orchestrator.crashBetweenReads(before.pid); // SIGKILL: no finalizer runs
    const lastTickBefore = Math.max(...ticksOf(client));
    expect(processAlive(before.pid)).toBe(true);
    // Meanwhile the preview goes on printing (into its FIFO's buffer, nobody reading).
    orchestrator = await spawnOrchestrator(dataDir, orchestratorEnv, orchestratorPort);

    const adopted = await client.waitForLog((l) => l.message.includes("re-adopted"), "the re-adoption line");
    expect(adopted.source).toBe("system");
    expect(adopted.message).toContain(`pid ${before.pid}`);
    const resumedAfter = lastTickBefore + 40;
    await client.waitForLog((l) => l.message === `tick-${resumedAfter}`, "ticks printed after the restart");
    const after = rowOf();
    expect(after).toMatchObject({ pid: before.pid, ticks: before.ticks, status: "running" });

    // One id per line, in order, none twice: the stream never restarted its numbering.
    const ids = client.logs.map((l) => l.id);
    expect(ids).toEqual(ids.map((_, i) => (ids[0] ?? 0) + i));
    // The ticks came in order, none twice, and the ones printed while no orchestrator ran are there.
    const ticks = ticksOf(client);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.filter((n) => n > lastTickBefore && n <= resumedAfter).length).toBeGreaterThan(0);
    expect(ticks.at(-1)).toBeGreaterThanOrEqual(resumedAfter);
    // The re-adoption line counts what the crash lost (lines read, not delivered), and that is what is missing.
    const lost = lostLinesSaid(adopted.message);
    expect(lost, adopted.message).toBeDefined();
    const seen = new Set(ticks.filter((n) => n <= resumedAfter));
    const missing = Array.from({ length: resumedAfter + 1 }, (_, n) => n).filter((n) => !seen.has(n)).length;
    expect(missing).toBeGreaterThanOrEqual(lost?.atLeast ?? Number.NaN);
    expect(missing).toBeLessThanOrEqual(lost?.atMost ?? Number.NaN);

    // The status answers from the new orchestrator; health checks go on.
    const status = await callApi(orchestratorUrl, "GET", `${previewPath(generationId)}/status`, { token });
    expect(status.body).toMatchObject({ status: "running", previewInstanceId: previewId });

    const stopped = await callApi(orchestratorUrl, "DELETE", previewPath(generationId), { token });
    expect(stopped.status).toBe(200);
    // Not our child any more: it is reaped by whoever adopted it (pid 1), a moment after it died.
    await eventually(() => (processAlive(before.pid) ? undefined : true), 10_000, "the preview's process to be gone");
    expect(rowOf().status).toBe("stopped");
    await eventually(() => (client.statuses.includes("stopped") ? true : undefined), 20_000, "the stopped status on the stream");
    expect(existsSync(before.workDir)).toBe(false);
    expect(existsSync(outputDirOf(before.workDir))).toBe(false);
  }, 180_000); // two orchestrator processes, on a loaded machine
});
