import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { callApi, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { type OrchestratorProcess, spawnOrchestrator } from "../support/orchestrator-process.ts";
import { launch, previewPath, status, upload, waitForStatus } from "../support/previews.ts";
import { processAlive } from "../support/processes.ts";
import { startTestOrchestrator, testJwtSecret, type TestOrchestrator } from "../support/test-orchestrator.ts";
import { psql as psqlAt, startTestPostgres } from "./support/servers.ts";
import { tempDirs } from "../support/temp-dirs.ts";

// Runner nodes (services/orchestrator/runner-node.ts): each orchestrator process registers as a
// node with a lease; a node that stops renewing it (kill -9, for real) is lost and its previews
// end as crashed; a node that gets SIGTERM drains.
const freshDir = tempDirs();

describe("a node on the embedded store", () => {
  it("registers with a lease it renews, and names itself on its previews and in /status", async () => {
    const o = await startTestOrchestrator({ NODE_ID: "solo-node", NODE_CAPACITY: "7", NODE_LEASE_MS: "600" }, { dataDir: freshDir("node-solo-") });
    try {
      type NodeRow = { id: string; capacity: number; draining: number; lease_expires_at: number };
      const [first] = o.query<NodeRow>("select id, capacity, draining, lease_expires_at from nodes");
      expect(first).toMatchObject({ id: "solo-node", capacity: 7, draining: 0 });
      await eventually(() => {
        const [now] = o.query<NodeRow>("select lease_expires_at from nodes where id = 'solo-node'");
        return (now?.lease_expires_at ?? 0) > (first?.lease_expires_at ?? Infinity) ? true : undefined;
      }, 20_000, "the lease renewed");

      const token = await o.token("alice");
      const generationId = await upload(o, token, helloApp);
      expect((await launch(o, token, generationId, { wait: true })).status).toBe(200);
      expect((await status(o, token, generationId)).body).toMatchObject({ status: "running", node: "solo-node" });
      expect(o.query<{ node: string }>("select node from previews")).toEqual([{ node: "solo-node" }]);
      const listed = await callApi<{ previews: Array<{ node: string }> }>(o.url, "GET", "/api/previews", { token });
      expect(listed.body.previews.map((p) => p.node)).toEqual(["solo-node"]);
    } finally {
      await o.shutdown();
    }
  });
});

describe("nodes on one PostgreSQL", () => {
  let pg: Awaited<ReturnType<typeof startTestPostgres>>;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg?.dispose();
  });
  const psql = (sql: string) => psqlAt(pg.url, sql);
  // The generations' files on storage every node shares (a shared volume across machines).
  let generationsDir: string;
  beforeAll(() => {
    generationsDir = freshDir("node-generations-");
  });
  const nodeEnv = (id: string) => ({
    ORCHESTRATOR_GENERATIONS_DIR: generationsDir,
    DATABASE_URL: pg.url,
    ORCHESTRATOR_NODE_ID: id,
    ORCHESTRATOR_NODE_LEASE_MS: "1500",
    ORCHESTRATOR_RUNTIME: "host",
    ORCHESTRATOR_SWEEP_INTERVAL_MS: "200",
    ORCHESTRATOR_ORPHAN_GRACE_SECONDS: "2",
    // No logs service in this test: lines wait in the bounded outbox.
    ORCHESTRATOR_LOGS_URL: "http://127.0.0.1:9",
  });
  const launchOn = async (url: string, userId: string) => {
    const token = await signUserToken(testJwtSecret, userId);
    const created = await callApi<{ generationId: string }>(url, "POST", "/api/generations", { token, json: { files: helloApp } });
    expect(created.status).toBe(201);
    const launched = await callApi<{ previewInstanceId: string }>(url, "POST", `${previewPath(created.body.generationId)}/launch`, { token, json: { wait: true } });
    expect(launched.status).toBe(200);
    return { token, generationId: created.body.generationId, previewId: launched.body.previewInstanceId };
  };

  it("kill -9 of a node: its previews end as crashed with a system line, another node's are untouched", async () => {
    const watcher: TestOrchestrator = await startTestOrchestrator(
      { NODE_ID: "node-watcher", NODE_LEASE_MS: "1500", GENERATIONS_DIR: generationsDir },
      { dataDir: freshDir("node-watcher-"), env: { DATABASE_URL: pg.url } },
    );
    const doomedDir = freshDir("node-doomed-");
    let doomed: OrchestratorProcess = await spawnOrchestrator(doomedDir, nodeEnv("node-doomed"));
    try {
      const lost = await launchOn(doomed.url, "lost-user");
      const kept = await launchOn(watcher.url, "kept-user");
      const pid = Number(psql(`select pid from previews where id = '${lost.previewId}'`));
      expect(psql("select id from nodes order by id").split("\n")).toEqual(["node-doomed", "node-watcher"]);

      await doomed.crash();
      const ended = await waitForStatus(watcher, lost.token, lost.generationId, "crashed", 30_000);
      expect(ended).toMatchObject({ node: "node-doomed", errorMessage: expect.stringContaining("node node-doomed running this preview was lost") });
      // Of the lines the watcher's sink took, the system line says why, then the status.
      expect(watcher.logs(lost.previewId).map((l) => [l.source, l.level, l.message])).toEqual([
        ["system", "ERROR", expect.stringContaining("node-doomed running this preview was lost")],
      ]);
      expect(watcher.statuses(lost.previewId)).toEqual(["crashed"]);
      expect(psql("select id from nodes")).toBe("node-watcher");
      expect(psql(`select count(*) from port_reservations where preview_id = '${lost.previewId}'`)).toBe("0");
      // The other node's preview runs on, and the lost node's process stops itself (orphan guard).
      expect((await status(watcher, kept.token, kept.generationId)).body).toMatchObject({ status: "running", node: "node-watcher" });
      await eventually(() => (processAlive(pid) ? undefined : true), 30_000, "the lost node's preview process to stop itself");
      // Back under its name, the node releases what its lost preview left on its disk (its work dir, a quota mount).
      const workDir = psql(`select work_dir from previews where id = '${lost.previewId}'`);
      expect(existsSync(workDir)).toBe(true);
      doomed = await spawnOrchestrator(doomedDir, nodeEnv("node-doomed"));
      expect(existsSync(workDir)).toBe(false);
      expect((await status(watcher, lost.token, lost.generationId)).body).toMatchObject({ status: "crashed" });
    } finally {
      if (doomed.child.exitCode === null && doomed.child.signalCode === null) doomed.child.kill("SIGTERM");
      await new Promise((resolve) => (doomed.child.exitCode === null && doomed.child.signalCode === null ? doomed.child.once("exit", resolve) : resolve(undefined)));
      await watcher.shutdown();
    }
  });

  it("SIGTERM drains a node: it stops its previews cleanly and leaves the cluster", async () => {
    const node = await spawnOrchestrator(freshDir("node-drain-"), nodeEnv("node-drained"));
    const exited = new Promise<number | null>((resolve) => node.child.once("exit", (code) => resolve(code)));
    const running = await launchOn(node.url, "drain-user");
    const pid = Number(psql(`select pid from previews where id = '${running.previewId}'`));
    expect(psql("select draining from nodes where id = 'node-drained'")).toBe("0");
    node.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    // Stopped (its system line says the node was drained), not left live for another node to find lost.
    expect(psql(`select status from previews where id = '${running.previewId}'`)).toBe("stopped");
    expect(psql("select count(*) from nodes where id = 'node-drained'")).toBe("0");
    expect(processAlive(pid)).toBe(false);
  });

  it("a launch on a full node is placed on another with room, which runs it; a lost node gets no new launches", async () => {
    const full = await startTestOrchestrator(
      { NODE_ID: "node-small", NODE_CAPACITY: "1", NODE_LEASE_MS: "1500", GENERATIONS_DIR: generationsDir },
      { dataDir: freshDir("node-small-"), env: { DATABASE_URL: pg.url } },
    );
    const roomy = await spawnOrchestrator(freshDir("node-roomy-"), { ...nodeEnv("node-roomy"), ORCHESTRATOR_NODE_CAPACITY: "5", ORCHESTRATOR_DISK_MB: "0" });
    try {
      const token = await full.token("placed-user");
      const [first, second, third] = [await upload(full, token, helloApp), await upload(full, token, helloApp), await upload(full, token, helloApp)];
      // Equal load: the node asked keeps it (no hop).
      expect((await launch(full, token, first as string, { wait: true })).status).toBe(200);
      expect((await status(full, token, first as string)).body).toMatchObject({ status: "running", node: "node-small" });
      // node-small is full: node-roomy runs it, and answers through node-small (200, the preview's token).
      const placed = await launch(full, token, second as string, { wait: true });
      expect(placed.status).toBe(200);
      expect(placed.body).toMatchObject({ status: "running", previewToken: expect.any(String) });
      expect((await status(full, token, second as string)).body).toMatchObject({ status: "running", node: "node-roomy" });
      expect(psql(`select node from previews where id = '${placed.body.previewInstanceId as string}'`)).toBe("node-roomy");
      // It is node-roomy's process, serving where its row says.
      const port = Number(psql(`select port from previews where id = '${placed.body.previewInstanceId as string}'`));
      expect(await (await fetch(`http://127.0.0.1:${port}/hello`)).json()).toEqual({ message: "hi" });

      const pid = Number(psql(`select pid from previews where id = '${placed.body.previewInstanceId as string}'`));
      // A node registered but not answering (its process hung, its lease not yet lapsed) is passed over.
      psql(`insert into nodes (id, url, capacity, draining, started_at, lease_expires_at) values ('node-mute', 'http://127.0.0.1:9', 50, 0, 0, ${Date.now() + 600_000})`);
      const fourth = await upload(full, token, helloApp);
      expect((await launch(full, token, fourth)).status).toBe(202);
      expect((await status(full, token, fourth)).body).toMatchObject({ node: "node-roomy" });
      psql("delete from nodes where id = 'node-mute'");
      await roomy.crash();
      await waitForStatus(full, token, second as string, "crashed", 30_000);
      await eventually(() => (processAlive(pid) ? undefined : true), 30_000, "the lost node's preview process to stop itself");
      // The lost node takes nothing more: with node-small full there is no room anywhere.
      const refused = await launch(full, token, third as string);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ error: { code: "runtime_unavailable", message: expect.stringContaining("No runner node has room") } });
      expect((await callApi(full.url, "DELETE", previewPath(first as string), { token })).status).toBe(200);
      expect((await launch(full, token, third as string)).status).toBe(202);
      expect((await status(full, token, third as string)).body).toMatchObject({ node: "node-small" });
    } finally {
      if (roomy.child.exitCode === null && roomy.child.signalCode === null) await roomy.crash();
      await full.shutdown();
    }
  });

  it("a node whose preview another node ended (it took the node for lost) stops that process at its next sweep", async () => {
    const node = await startTestOrchestrator(
      { NODE_ID: "node-slow", GENERATIONS_DIR: generationsDir },
      { dataDir: freshDir("node-slow-"), env: { DATABASE_URL: pg.url } },
    );
    try {
      const token = await node.token("ended-elsewhere");
      const generationId = await upload(node, token, helloApp);
      const launched = await launch(node, token, generationId, { wait: true });
      expect(launched.status).toBe(200);
      const id = launched.body.previewInstanceId as string;
      const pid = Number(psql(`select pid from previews where id = '${id}'`));
      expect(processAlive(pid)).toBe(true);
      // What endPreviewsOfLostNodes on another node writes (a lease renewal that came too late).
      psql(`update previews set status = 'crashed', stopped_at = 1 where id = '${id}'`);
      await eventually(() => (processAlive(pid) ? undefined : true), 30_000, "the preview's process to stop");
      expect(psql(`select status from previews where id = '${id}'`)).toBe("crashed");
    } finally {
      await node.shutdown();
    }
  });

  it("PostgreSQL away for several leases: the nodes reconnect and renew, and none takes another for lost", async () => {
    const a = await startTestOrchestrator(
      { NODE_ID: "node-outage-a", NODE_LEASE_MS: "3000", GENERATIONS_DIR: generationsDir },
      { dataDir: freshDir("node-outage-a-"), env: { DATABASE_URL: pg.url } },
    );
    const b = await startTestOrchestrator(
      { NODE_ID: "node-outage-b", NODE_LEASE_MS: "3000", GENERATIONS_DIR: generationsDir },
      { dataDir: freshDir("node-outage-b-"), env: { DATABASE_URL: pg.url } },
    );
    try {
      const token = await a.token("outage-user");
      const [onA, onB] = [await upload(a, token, helloApp), await upload(b, token, helloApp)];
      expect((await launch(a, token, onA, { wait: true })).status).toBe(200);
      expect((await launch(b, token, onB, { wait: true })).status).toBe(200);
      const leaseBefore = Number(psql("select max(lease_expires_at) from nodes where id = 'node-outage-a'"));
      await pg.stop();
      // Three leases with no renewal anywhere: every lease in the table has lapsed by the time it is back.
      const away = Date.now();
      await eventually(() => (Date.now() - away > 9000 ? true : undefined), 20_000, "three leases");
      await pg.start();
      await eventually(() => {
        const lease = Number(psql("select coalesce(min(lease_expires_at), 0) from nodes where id in ('node-outage-a', 'node-outage-b')"));
        return lease > leaseBefore + 9000 ? true : undefined;
      }, 30_000, "both nodes to renew");
      // Three more leases (each judges after two leases of renewals): both previews still run.
      const back = Date.now();
      await eventually(() => (Date.now() - back > 9000 ? true : undefined), 20_000, "three leases");
      expect((await status(a, token, onA)).body).toMatchObject({ status: "running", node: "node-outage-a" });
      expect((await status(b, token, onB)).body).toMatchObject({ status: "running", node: "node-outage-b" });
      expect(psql("select id from nodes where id like 'node-outage-%' order by id").split("\n")).toEqual(["node-outage-a", "node-outage-b"]);
    } finally {
      await Promise.all([a.shutdown(), b.shutdown()]);
    }
  });
});
