
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { type OrchestratorProcess, spawnOrchestrator } from "../support/orchestrator-process.ts";
import { previewPath, status, upload } from "../support/previews.ts";
import { processAlive } from "../support/processes.ts";
import { startTestOrchestrator, testJwtSecret, type TestOrchestrator } from "../support/test-orchestrator.ts";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { psql as psqlAt, startTestPostgres } from "./support/servers.ts";
import { tempDirs } from "../support/temp-dirs.ts";

// A stop or a live reload sent to one node (the one a gateway calls) for a preview another node
// runs is carried out by that node (services/orchestrator/owner-relay.ts): the process stops there
// with its status and system line, the new version runs there. Found by the deployment matrix.
const freshDir = tempDirs();
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let front: TestOrchestrator;
let runner: OrchestratorProcess;
beforeAll(async () => {
  pg = await startTestPostgres();
  const generationsDir = freshDir("owner-generations-");
  front = await startTestOrchestrator(
    { NODE_ID: "node-front", GENERATIONS_DIR: generationsDir },
    { dataDir: freshDir("node-front-"), env: { DATABASE_URL: pg.url } },
  );
  runner = await spawnOrchestrator(freshDir("node-runner-"), {
    ORCHESTRATOR_GENERATIONS_DIR: generationsDir,
    DATABASE_URL: pg.url,
    ORCHESTRATOR_NODE_ID: "node-runner",
    ORCHESTRATOR_RUNTIME: "host",
    ORCHESTRATOR_LOGS_URL: "http://127.0.0.1:9",
  });
});
afterAll(async () => {
  if (runner !== undefined) {
    const exited = new Promise((resolve) => runner.child.once("exit", resolve));
    runner.child.kill("SIGTERM");
    await exited;
  }
  await front?.shutdown();
  await pg?.dispose();
});
const psql = (sql: string) => psqlAt(pg.url, sql);

/** A preview of `user` running on node-runner (launched there), and the user's token. */
const runningOnRunner = async (user: string) => {
  const token = await signUserToken(testJwtSecret, user);
  const generationId = await upload(front, token, helloApp);
  const launched = await callApi<{ previewInstanceId: string }>(runner.url, "POST", `${previewPath(generationId)}/launch`, { token, json: { wait: true } });
  expect(launched.status).toBe(200);
  const previewId = launched.body.previewInstanceId;
  expect(psql(`select node from previews where id = '${previewId}'`)).toBe("node-runner");
  return { token, generationId, previewId, pid: Number(psql(`select pid from previews where id = '${previewId}'`)) };
};

describe("a stop or reload sent to a node that does not run the preview", () => {
  it("stops it on the node that runs it: the process is gone when the answer comes", async () => {
    const p = await runningOnRunner("stopper");
    expect(processAlive(p.pid)).toBe(true);
    const stopped = await callApi(front.url, "DELETE", previewPath(p.generationId), { token: p.token });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: "stopped", message: "The preview was stopped" });
    expect(processAlive(p.pid)).toBe(false);
    expect((await status(front, p.token, p.generationId)).body).toMatchObject({ status: "stopped", node: "node-runner" });
    // Ended by its own node: no line from the front node's sink, whose supervisor it never was.
    expect(front.statuses(p.previewId)).toEqual([]);
  });

  it("reloads it in place on the node that runs it", async () => {
    const p = await runningOnRunner("reloader");
    const changed = helloApp["main.py"].replace("'hi'", "'reloaded'");
    const reloaded = await callApi(front.url, "POST", `${previewPath(p.generationId)}/reload`, { token: p.token, json: { changes: { "main.py": changed } } });
    expect(reloaded.status).toBe(200);
    expect(reloaded.body).toMatchObject({ previewInstanceId: p.previewId, status: "running", changedFiles: ["main.py"] });
    const port = Number(psql(`select port from previews where id = '${p.previewId}'`));
    await eventually(async () => ((await (await fetch(`http://127.0.0.1:${port}/hello`)).json()) as { message: string }).message === "reloaded" ? true : undefined, 20_000, "the new version to answer");
  });

  it("keeps ownership: another user's preview is 404 and is not relayed", async () => {
    const p = await runningOnRunner("owner");
    const stranger = await signUserToken(testJwtSecret, "stranger");
    expect((await callApi(front.url, "DELETE", previewPath(p.generationId), { token: stranger })).status).toBe(404);
    expect((await callApi(front.url, "POST", `${previewPath(p.generationId)}/reload`, { token: stranger, json: { changes: {} } })).status).toBe(404);
    expect(processAlive(p.pid)).toBe(true);
  });
});
