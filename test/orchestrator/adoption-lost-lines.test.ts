import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ConfigProvider } from "effect";
import getPort from "get-port";
import { afterEach, describe, expect, it } from "vitest";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { ledgerDirIn } from "../../libs/logs/delivery-ledger.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
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


const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const previewRowOf = (dataDir: string, previewId: string) => {
  const db = new DatabaseSync(join(dataDir, "orchestrator.db"), { readOnly: true });
  try {
    return db.prepare("select pid from previews where id = ?").get(previewId) as { pid: number };
  } finally {
    db.close();
  }
};

const ticksOf = (client: SseClient) => ticksIn(client.logs);

describe("what a crashed orchestrator lost of a preview it had read", () => {
  it("is counted in the re-adoption line, and the ticks missing from the stream are that many (within the lines it says were on their way)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "lost-lines-"));
    cleanups.push(async () => {
      await releaseMountsUnder(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    });
    const [orchestratorPort, logsPort] = await Promise.all([getPort(), getPort()]);
    const orchestratorUrl = `http://127.0.0.1:${orchestratorPort}`;
    const logsUrl = `http://127.0.0.1:${logsPort}`;
    const startLogs = () => serveLogs({
      configProvider: ConfigProvider.fromUnknown({
        DATA_DIR: dataDir, JWT_SECRET: testJwtSecret, INTERNAL_TOKEN: testInternalToken, PATH: process.env.PATH ?? "/usr/bin:/bin",
        LOGS: { ORCHESTRATOR_URL: orchestratorUrl },
      }),
      logger: makeLogger("logs", () => {}),
      port: logsPort,
    });
    let logs = await startLogs();
    let logsUp = true;
    cleanups.push(async () => {
      if (logsUp) await logs.shutdown();
    });
    const env = { ORCHESTRATOR_LOGS_URL: logsUrl, ORCHESTRATOR_RUNTIME: "host" };
    let orchestrator: OrchestratorProcess = await spawnOrchestrator(dataDir, env, orchestratorPort);
    cleanups.push(async () => {
      if (orchestrator.child.exitCode === null && orchestrator.child.signalCode === null) await orchestrator.crash();
    });

    const token = await signUserToken(testJwtSecret, "alice");
    const created = await callApi<{ generationId: string }>(orchestratorUrl, "POST", "/api/generations", { token, json: { files: tickerApp(20) } });
    const generationId = created.body.generationId;
    const launched = await callApi(orchestratorUrl, "POST", `${previewPath(generationId)}/launch`, { token, json: { wait: true } });
    expect(launched.status).toBe(200);
    const previewId = launched.body.previewInstanceId as string;
    const { pid } = previewRowOf(dataDir, previewId);
    cleanups.push(() => {
      if (processAlive(pid)) process.kill(-pid, "SIGKILL");
    });
    const first = await SseClient.open(`${logsUrl}${previewPath(generationId)}/logs/stream`, { authorization: `Bearer ${token}` });
    await first.waitForLog((l) => l.message === "tick-5");
    first.close();

    // The logs service goes away: the orchestrator goes on reading the preview into its outbox, undelivered.
    await logs.shutdown();
    logsUp = false;
    const ledger = join(ledgerDirIn(join(dataDir, "previews")), previewId);
    const undelivered = () => {
      const [taken = 0, settled = 0] = readFileSync(ledger, "utf8").trim().split(/\s+/).map(Number);
      return taken - settled;
    };
    await eventually(() => (undelivered() >= 20 ? true : undefined), 30_000, "lines read but not delivered");
    await orchestrator.crashBetweenReads(pid); // SIGKILL: its outbox is gone

    logs = await startLogs();
    logsUp = true;
    orchestrator = await spawnOrchestrator(dataDir, env, orchestratorPort);
    const client = await SseClient.open(`${logsUrl}${previewPath(generationId)}/logs/stream`, { authorization: `Bearer ${token}` });
    cleanups.push(() => client.close());
    const adopted = await client.waitForLog((l) => l.message.includes("re-adopted"), "the re-adoption line");
    const said = lostLinesSaid(adopted.message);
    expect(said, adopted.message).toBeDefined();
    const { atLeast, atMost } = said ?? { atLeast: Number.NaN, atMost: Number.NaN };
    expect(atLeast).toBeGreaterThanOrEqual(20);

    // Every tick up to well after the restart is there but the lost ones: exactly `lost` numbers missing.
    // Past the lost run of ticks (it may start right after the last tick seen so far), and then some.
    const last = Math.max(...ticksOf(client)) + atMost + 20;
    // A loaded machine may take a while to stream the backlog the preview's FIFO held meanwhile.
    await eventually(() => (ticksOf(client).some((n) => n >= last) ? true : undefined), 90_000, "ticks printed after the restart");
    const seen = new Set(ticksOf(client).filter((n) => n <= last));
    const missing = Array.from({ length: last + 1 }, (_, n) => n).filter((n) => !seen.has(n));
    expect(missing.length).toBeGreaterThanOrEqual(atLeast);
    // None uncounted: the boot program writes each line whole, so no half line died with the orchestrator.
    expect(missing.length).toBeLessThanOrEqual(atMost);
    // One run of them: what the dead orchestrator held, not lines scattered.
    expect(missing.at(-1)! - missing[0]!).toBe(missing.length - 1);
  }, 180_000);
});
