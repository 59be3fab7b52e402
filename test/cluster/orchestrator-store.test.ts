import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect, Layer, ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrchestratorDbLive } from "../../services/orchestrator/db/orchestrator-db.ts";
import { OrchestratorPgDbLive } from "../../services/orchestrator/db/orchestrator-pg-db.ts";
import { type GenerationRow, type NewPreviewRow, OrchestratorStore } from "../../services/orchestrator/store/contract.ts";
import { PostgresOrchestratorStoreLive } from "../../services/orchestrator/store/postgres-store.ts";
import { SqliteOrchestratorStoreLive } from "../../services/orchestrator/store/sqlite-store.ts";
import { freshDatabase, startTestPostgres } from "./support/servers.ts";

// One matrix: the orchestrator's store answers the same on the embedded SQLite file and on
// PostgreSQL (the same cases, both dialects, a real server).
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let dir: string;
let n = 0;
beforeAll(async () => {
  [pg, dir] = await Promise.all([startTestPostgres(), mkdtemp(join(tmpdir(), "orch-store-"))]);
});
afterAll(async () => {
  await pg?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const dialects = {
  sqlite: () => SqliteOrchestratorStoreLive.pipe(Layer.provide(OrchestratorDbLive(join(dir, `s${++n}.db`)))),
  postgres: () => PostgresOrchestratorStoreLive.pipe(Layer.provide(OrchestratorPgDbLive(freshDatabase(pg, `o${++n}`)))),
};

const generation = (id: string, userId: string, bytes = 10): GenerationRow =>
  ({ id, userId, projectId: id, fileCount: 1, bytes, contentHash: "h", entry: null, createdAt: 1_765_000_000_000 });

const preview = (id: string, generationId: string, userId: string, createdAt: number): NewPreviewRow => ({
  id, generationId, userId, status: "launching", runtime: "host", entry: "main:app", workDir: `/w/${id}`,
  previewTokenHash: "t", createdAt, expiresAt: createdAt + 3_600_000, lastActivityAt: createdAt,
});

describe.each(Object.keys(dialects) as Array<keyof typeof dialects>)("orchestrator store on %s", (dialect) => {
  it("keeps generations, quota usage, environments, ports and the preview lifecycle the same way", async () => {
    const runtime = ManagedRuntime.make(dialects[dialect]());
    const run = <A>(f: (s: OrchestratorStore["Service"]) => Effect.Effect<A>) => runtime.runPromise(Effect.flatMap(Effect.service(OrchestratorStore), f));
    try {
      // Generations and the quota check inside the insert.
      expect(await run((s) => s.generations.insertUnless(generation("g1", "u", 100), () => undefined))).toBeUndefined();
      expect(await run((s) => s.generations.insertUnless(generation("g2", "u", 50), (used) => (used.count >= 1 ? `full at ${used.count}/${used.bytes}` : undefined)))).toBe("full at 1/100");
      expect(await run((s) => s.generations.owned("u", "g2"))).toBeUndefined();
      expect(await run((s) => s.generations.owned("someone-else", "g1"))).toBeUndefined();
      await run((s) => s.generations.insertUnless(generation("g2", "u", 50), () => undefined));
      await run((s) => s.generations.update({ ...generation("g2", "u", 70), entry: "app/main.py:app" }));
      expect(await run((s) => s.generations.owned("u", "g2"))).toMatchObject({ bytes: 70, entry: "app/main.py:app" });
      expect(await run((s) => s.generations.usage("u"))).toEqual({ count: 2, bytes: 170 });
      expect(await run((s) => s.generations.usage("nobody"))).toEqual({ count: 0, bytes: 0 });

      // A generation's environment: the latest replaces it.
      expect(await run((s) => s.environments.load("g1"))).toEqual({});
      await run((s) => s.environments.save("g1", { A: "1" }));
      await run((s) => s.environments.save("g1", { B: "2" }));
      expect(await run((s) => s.environments.load("g1"))).toEqual({ B: "2" });

      // Ports: one holder each; keepOnly releases the rest.
      expect(await run((s) => s.ports.reserve(20001, "p1"))).toBe(true);
      expect(await run((s) => s.ports.reserve(20001, "p2"))).toBe(false);
      expect(await run((s) => s.ports.reserve(20002, "p2"))).toBe(true);
      expect([...await run((s) => s.ports.reserved())].sort()).toEqual([20001, 20002]);
      await run((s) => s.ports.keepOnly(["p2"]));
      expect(await run((s) => s.ports.reserved())).toEqual([20002]);
      await run((s) => s.ports.release(20002));
      await run((s) => s.ports.keepOnly([]));
      expect(await run((s) => s.ports.reserved())).toEqual([]);

      // Admission: one live per generation, the per-user limit, and ended previews free both.
      const first = await run((s) => s.previews.admit(preview("p1", "g1", "u", 1000), 2));
      expect(first).toMatchObject({ id: "p1", status: "launching", extensions: 0, healthStatus: "unknown" });
      expect(await run((s) => s.previews.admit(preview("p2", "g1", "u", 1001), 2))).toMatchObject({ _tag: "PreviewAlreadyRunning" });
      expect(await run((s) => s.previews.admit(preview("p3", "g2", "u", 1002), 2))).toMatchObject({ id: "p3" });
      expect(await run((s) => s.previews.admit(preview("p4", "g2", "u", 1003), 2))).toMatchObject({ _tag: "PreviewAlreadyRunning" });
      await run((s) => s.generations.insertUnless(generation("g3", "u"), () => undefined));
      expect(await run((s) => s.previews.admit(preview("p5", "g3", "u", 1004), 2))).toMatchObject({ _tag: "PreviewLimitReached" });
      await run((s) => s.previews.update("p1", { status: "running", port: 20005, startedAt: 1100 }));
      expect(await run((s) => s.previews.live())).toHaveLength(2);
      expect(await run((s) => s.previews.finishIfLive("p1", { status: "stopped", stoppedAt: 1200 }))).toBe(true);
      expect(await run((s) => s.previews.finishIfLive("p1", { status: "crashed" }))).toBe(false);
      expect(await run((s) => s.previews.byId("p1"))).toMatchObject({ status: "stopped", port: 20005, startedAt: 1100, stoppedAt: 1200 });
      expect(await run((s) => s.previews.byId("nope"))).toBeUndefined();
      expect(await run((s) => s.previews.admit(preview("p6", "g1", "u", 1005), 2))).toMatchObject({ id: "p6" });
      expect((await run((s) => s.previews.latestOfGeneration("g1")))?.id).toBe("p6");
      expect(await run((s) => s.previews.latestOfGeneration("g9"))).toBeUndefined();

      // Listing pages: newest first, by status, after a (createdAt, id) cursor.
      const ids = async (query: Parameters<OrchestratorStore["Service"]["previews"]["page"]>[0]) => (await run((s) => s.previews.page(query))).map((r) => r.id);
      expect(await ids({ userId: "u", limit: 10 })).toEqual(["p6", "p3", "p1"]);
      expect(await ids({ userId: "u", limit: 10, status: "live" })).toEqual(["p6", "p3"]);
      expect(await ids({ userId: "u", limit: 10, status: "ended" })).toEqual(["p1"]);
      expect(await ids({ userId: "u", limit: 10, status: "stopped" })).toEqual(["p1"]);
      expect(await ids({ userId: "u", limit: 1, before: [1005, "p6"] })).toEqual(["p3"]);
      expect(await ids({ userId: "someone-else", limit: 10 })).toEqual([]);
    } finally {
      await runtime.dispose();
    }
  });
});
