import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { previewPath } from "../support/previews.ts";
import { previewPortBlock } from "../support/port-blocks.ts";
import { psql as psqlAt, startTestPostgres } from "./support/servers.ts";
import { type Replica, startReplica, tokenFor } from "./support/replicas.ts";

// Two real orchestrator replicas on one real PostgreSQL: admission must hold across them as it
// holds in one process (test/orchestrator/concurrency.test.ts), with the requests split over both.
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let dataDir: string;
let replicas: Replica[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
  dataDir = mkdtempSync(join(tmpdir(), "replicas-"));
  const ports = previewPortBlock();
  const settings = { MAX_INSTANCES_PER_USER: "2", PORT_RANGE_FROM: String(ports.from), PORT_RANGE_TO: String(ports.to) };
  // One after the other: the second finds the first's migrations applied (the advisory lock is tested by the log store).
  replicas = [await startReplica(dataDir, pg.url, settings), await startReplica(dataDir, pg.url, settings)];
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.shutdown()));
  await pg?.dispose();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

const psql = (sql: string) => psqlAt(pg.url, sql);

const upload = async (via: Replica, token: string) => {
  const res = await callApi<{ generationId: string }>(via.url, "POST", "/api/generations", { token, json: { files: helloApp } });
  expect(res.status).toBe(201);
  return res.body.generationId;
};
const launch = (via: Replica, token: string, generationId: string) =>
  callApi<Record<string, unknown>>(via.url, "POST", `${previewPath(generationId)}/launch`, { token, json: {} });
const stop = (via: Replica, token: string, generationId: string) => callApi(via.url, "DELETE", previewPath(generationId), { token });
const conflictCodes = (responses: ReadonlyArray<{ status: number; body: unknown }>) =>
  responses.filter((r) => r.status === 409).map((r) => (r.body as ErrorEnvelope).error.code);
const replica = (i: number) => replicas[i % replicas.length] as Replica;

describe("admission across two orchestrator replicas on one PostgreSQL", () => {
  it("200 concurrent launches of one generation through both replicas: exactly one wins, the rest 409", async () => {
    const token = await tokenFor("racer");
    const generationId = await upload(replica(0), token);
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => launch(replica(i), token, generationId)));
    expect(responses.filter((r) => r.status === 202)).toHaveLength(1);
    expect(conflictCodes(responses)).toEqual(Array(199).fill("preview_already_running"));
    expect(psql(`select count(*) from previews where generation_id = '${generationId}'`)).toBe("1");
    // Either replica answers for the preview (its row is in the shared database).
    const seen = await Promise.all(replicas.map((r) => callApi<{ status: string }>(r.url, "GET", `${previewPath(generationId)}/status`, { token })));
    expect(seen.map((s) => s.status)).toEqual([200, 200]);
    expect((await stop(replica(1), token, generationId)).status).toBe(200);
  });

  it("the per-user limit holds under the same race: 20 generations launched at once over both replicas, 2 run", async () => {
    const token = await tokenFor("greedy");
    const generationIds = await Promise.all(Array.from({ length: 20 }, (_, i) => upload(replica(i), token)));
    const responses = await Promise.all(generationIds.map((g, i) => launch(replica(i + 1), token, g)));
    expect(responses.filter((r) => r.status === 202)).toHaveLength(2);
    expect(conflictCodes(responses)).toEqual(Array(18).fill("preview_limit_reached"));
    expect(psql("select count(*) from previews where user_id = 'greedy' and status in ('launching', 'running')")).toBe("2");
    // Another user is not held by greedy's limit.
    const other = await tokenFor("other");
    const theirs = await upload(replica(1), other);
    expect((await launch(replica(0), other, theirs)).status).toBe(202);
    await Promise.all([...generationIds.map((g, i) => stop(replica(i), token, g)), stop(replica(0), other, theirs)]);
  });

  it("the per-user generation quota holds when two replicas take uploads at once", async () => {
    // Its own pair with a quota of 3 generations, on the same database.
    const quota = { MAX_GENERATIONS_PER_USER: "3" };
    // A data dir of their own: a replica that shuts down removes its machine's orchestrator heartbeat
    // under previews/, which the previews of the replicas still running there (same dir) rely on.
    const pairDir = mkdtempSync(join(tmpdir(), "replicas-pair-"));
    const pair = [await startReplica(pairDir, pg.url, quota), await startReplica(pairDir, pg.url, quota)];
    try {
      const token = await tokenFor("uploader");
      const responses = await Promise.all(Array.from({ length: 12 }, (_, i) =>
        callApi<{ error?: { code: string } }>((pair[i % 2] as Replica).url, "POST", "/api/generations", { token, json: { files: helloApp } })));
      expect(responses.filter((r) => r.status === 201)).toHaveLength(3);
      expect(responses.filter((r) => r.status === 409).map((r) => r.body.error?.code)).toEqual(Array(9).fill("generation_quota_exceeded"));
      expect(psql("select count(*) from generations where user_id = 'uploader'")).toBe("3");
    } finally {
      await Promise.all(pair.map((r) => r.shutdown()));
      rmSync(pairDir, { recursive: true, force: true });
    }
  });

  it("PostgreSQL restarted under both replicas: they reconnect by themselves, launch again, and their sweepers still expire previews", async () => {
    const token = await tokenFor("after-restart");
    const generationId = await upload(replica(0), token);
    await pg.stop();
    // Meanwhile every sweep (each 200 ms here) fails; a request fails with a 500, not a hang.
    expect((await callApi(replica(1).url, "GET", `${previewPath(generationId)}/status`, { token })).status).toBe(500);
    await pg.start();
    const launched = await eventually(async () => {
      const res = await callApi<{ status: string }>(replica(1).url, "POST", `${previewPath(generationId)}/launch`, { token, json: { ttlSeconds: 2 } });
      return res.status === 202 ? res : undefined;
    }, 30_000, "a launch after the restart");
    expect(launched.body.status).toBe("launching");
    // Only a sweeper that survived the outage ends it at its time limit.
    await eventually(async () => {
      const res = await callApi<{ status: string }>(replica(0).url, "GET", `${previewPath(generationId)}/status`, { token });
      return res.body.status === "expired" ? true : undefined;
    }, 60_000, "the preview to expire");
  });
});
