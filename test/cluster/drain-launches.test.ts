import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { internalLaunchPath } from "../../services/orchestrator/placement.ts";
import { callApi, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { type OrchestratorProcess, spawnOrchestrator } from "../support/orchestrator-process.ts";
import { previewPath } from "../support/previews.ts";
import { pidsOfPreview } from "../support/processes.ts";
import { testInternalToken, testJwtSecret } from "../support/test-orchestrator.ts";
import { psql as psqlAt, startTestPostgres } from "./support/servers.ts";
import { tempDirs } from "../support/temp-dirs.ts";

// A node that drains (SIGTERM, for real) takes no launch: one sent to it while it drains, by a
// client (as a gateway in front of it forwards) or by another node's placement, is placed on a
// node with room or refused with a clear error, and never runs on the draining node.
const freshDir = tempDirs();
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
beforeAll(async () => {
  pg = await startTestPostgres();
});
afterAll(async () => {
  await pg?.dispose();
});
const psql = (sql: string) => psqlAt(pg.url, sql);

/** A preview whose shutdown waits (bounded) until `release` exists: it holds its node's drain open while the test launches. */
const slowToStopApp = (release: string) => ({
  "main.py": [
    "import os, time",
    "from fastapi import FastAPI",
    "",
    "app = FastAPI()",
    "",
    "@app.on_event('shutdown')",
    "def hold_the_drain():",
    "    deadline = time.monotonic() + 120",
    `    while not os.path.exists(${JSON.stringify(release)}) and time.monotonic() < deadline:`,
    "        time.sleep(0.05)",
    "",
    "@app.get('/hello')",
    "def hello():",
    "    return {'message': 'hi'}",
    "",
  ].join("\n"),
});

describe("a draining node", () => {
  it("places a launch sent to it on another node, refuses one when no node has room, and refuses another node's relay; none runs on it", async () => {
    const generationsDir = freshDir("drain-generations-");
    const nodeEnv = (id: string, extra: Record<string, string> = {}) => ({
      ORCHESTRATOR_GENERATIONS_DIR: generationsDir,
      DATABASE_URL: pg.url,
      ORCHESTRATOR_NODE_ID: id,
      ORCHESTRATOR_RUNTIME: "host",
      // No logs service in this test: lines wait in the bounded outbox.
      ORCHESTRATOR_LOGS_URL: "http://127.0.0.1:9",
      ...extra,
    });
    const drainingDir = freshDir("node-draining-");
    const openDir = freshDir("node-open-");
    // The draining node waits for its slow preview as long as it takes (the test releases it). By
    // load it is the better node (1 of 50 against 1 of 2): only its draining keeps launches off it.
    const draining: OrchestratorProcess = await spawnOrchestrator(drainingDir, nodeEnv("node-draining", { ORCHESTRATOR_STOP_GRACE_MS: "180000", ORCHESTRATOR_NODE_CAPACITY: "50" }));
    const open: OrchestratorProcess = await spawnOrchestrator(openDir, nodeEnv("node-open", { ORCHESTRATOR_NODE_CAPACITY: "2" }));
    const exited = new Promise<number | null>((resolve) => draining.child.once("exit", (code) => resolve(code)));
    const release = join(freshDir("drain-release-"), "release");
    try {
      const userToken = (user: string) => signUserToken(testJwtSecret, user);
      const create = async (token: string, files: Record<string, string>) => {
        const created = await callApi<{ generationId: string }>(draining.url, "POST", "/api/generations", { token, json: { files } });
        expect(created.status).toBe(201);
        return created.body.generationId;
      };
      // Load ties go to the node asked: the slow preview runs on node-draining.
      const holder = await userToken("holder");
      const slow = await create(holder, slowToStopApp(release));
      const held = await callApi<{ previewInstanceId: string }>(draining.url, "POST", `${previewPath(slow)}/launch`, { token: holder, json: { wait: true } });
      expect(held.status).toBe(200);
      expect(psql(`select node from previews where id = '${held.body.previewInstanceId}'`)).toBe("node-draining");
      const earlier = await userToken("earlier");
      const earlierGen = await create(earlier, helloApp);
      expect((await callApi(open.url, "POST", `${previewPath(earlierGen)}/launch`, { token: earlier, json: { wait: true } })).status).toBe(200);
      expect(psql("select node from previews where node = 'node-open'")).toBe("node-open");
      const [placedUser, refusedUser, relayUser] = await Promise.all([userToken("placed"), userToken("refused"), userToken("relayed")]);
      const [placedGen, refusedGen, relayGen] = [await create(placedUser, helloApp), await create(refusedUser, helloApp), await create(relayUser, helloApp)];

      draining.child.kill("SIGTERM");
      await eventually(() => (psql("select draining from nodes where id = 'node-draining'") === "1" ? true : undefined), 30_000, "node-draining to mark itself draining");

      // Sent to the draining node (its API, which a gateway in front of it forwards to): node-open runs it.
      const placed = await callApi<{ previewInstanceId: string; status: string }>(draining.url, "POST", `${previewPath(placedGen)}/launch`, { token: placedUser, json: { wait: true } });
      expect(placed.status).toBe(200);
      expect(placed.body.status).toBe("running");
      const placedId = placed.body.previewInstanceId;
      expect(psql(`select node from previews where id = '${placedId}'`)).toBe("node-open");
      expect((await callApi(draining.url, "GET", `${previewPath(placedGen)}/status`, { token: placedUser })).body).toMatchObject({ status: "running", node: "node-open" });
      expect(pidsOfPreview(openDir, placedId).length).toBeGreaterThan(0);
      expect(pidsOfPreview(drainingDir, placedId)).toEqual([]);

      // node-open is now full (2 of 2): with the draining node out, no node has room, and the launch says so.
      const refused = await callApi(draining.url, "POST", `${previewPath(refusedGen)}/launch`, { token: refusedUser, json: {} });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ error: { code: "runtime_unavailable", message: expect.stringContaining("No runner node has room") } });

      // Another node's placement that read the nodes before the drain relays to it: refused, naming the drain.
      const relayed = await fetch(draining.url + internalLaunchPath(relayGen, "relayed"), {
        method: "POST",
        headers: { "content-type": "application/json", "x-internal-token": testInternalToken },
        body: JSON.stringify({}),
      });
      expect(relayed.status).toBe(503);
      expect(await relayed.json()).toMatchObject({ error: { code: "runtime_unavailable", message: "The node node-draining is draining: it takes no more launches" } });

      // Nothing was admitted for the refused launches, and the draining node runs only the preview it had.
      expect(psql(`select count(*) from previews where generation_id in ('${refusedGen}', '${relayGen}')`)).toBe("0");
      expect(psql("select id from previews where node = 'node-draining'")).toBe(held.body.previewInstanceId);

      // Released, the drain ends: its preview stopped cleanly, the node gone; the placed preview runs on.
      writeFileSync(release, "");
      expect(await exited).toBe(0);
      expect(psql(`select status from previews where id = '${held.body.previewInstanceId}'`)).toBe("stopped");
      expect(psql("select count(*) from nodes where id = 'node-draining'")).toBe("0");
      expect(psql(`select status from previews where id = '${placedId}'`)).toBe("running");
    } finally {
      writeFileSync(release, "");
      if (draining.child.exitCode === null && draining.child.signalCode === null) await draining.crash();
      // node-open drains too: its preview stops with it.
      const openExited = new Promise((resolve) => open.child.once("exit", resolve));
      open.child.kill("SIGTERM");
      await openExited;
    }
  });
});
