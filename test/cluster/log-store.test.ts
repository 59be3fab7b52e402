import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect, Layer, ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogStore } from "../../libs/logs/contract.ts";
import type { IngestRecord } from "../../libs/logs/schemas.ts";
import { LogsDbLive } from "../../services/logs/db/logs-db.ts";
import { LogsPgDbLive } from "../../services/logs/db/logs-pg-db.ts";
import { LogStoreLive } from "../../services/logs/log-store.ts";
import { LogStorePgLive } from "../../services/logs/log-store-pg.ts";
import { OrchestratorPgDbLive } from "../../services/orchestrator/db/orchestrator-pg-db.ts";
import type { RetentionLimits } from "../../services/logs/retention.ts";
import { freshDatabase, startTestPostgres } from "./support/servers.ts";

// One matrix: every case runs on the embedded SQLite store and on the PostgreSQL one, and must
// give the same answers (ids, pages, retention, dedup).
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let dir: string;
let n = 0;
beforeAll(async () => {
  [pg, dir] = await Promise.all([startTestPostgres(), mkdtemp(join(tmpdir(), "log-store-"))]);
});
afterAll(async () => {
  await pg?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const databases = new Map<string, string>();
const databaseNamed = (name: string): string => {
  const url = databases.get(name) ?? freshDatabase(pg, name);
  databases.set(name, url);
  return url;
};

type Store = LogStore["Service"];
const limits: RetentionLimits = { maxLines: 1000, maxBytes: 1_000_000 };

const dialects = {
  sqlite: (l: RetentionLimits, name: string) => LogStoreLive(l).pipe(Layer.provide(LogsDbLive(join(dir, `${name}.db`)))),
  postgres: (l: RetentionLimits, name: string) => LogStorePgLive(l).pipe(Layer.provide(LogsPgDbLive(databaseNamed(name)))),
};

const openStore = async (dialect: keyof typeof dialects, l = limits, name = `db${++n}`) => {
  const runtime = ManagedRuntime.make(dialects[dialect](l, name));
  const store: Store = await runtime.runPromise(Effect.service(LogStore));
  return { store, run: <A>(e: Effect.Effect<A>) => runtime.runPromise(e), dispose: () => runtime.dispose(), name };
};

const line = (previewId: string, seq: number, message = `line ${seq}`, level: "INFO" | "ERROR" = "INFO"): IngestRecord =>
  ({ type: "line", previewId, seq, timestamp: "2026-12-07T05:00:00.000Z", level, source: "stdout", message });

describe.each(Object.keys(dialects) as Array<keyof typeof dialects>)("log store on %s", (dialect) => {
  it("numbers lines per preview from 1, skips a retried batch, pages by after/limit/level, and keeps the status", async () => {
    const { store, run, dispose } = await openStore(dialect);
    try {
      const first = await run(store.append([line("a", 1), line("b", 1), line("a", 2, "boom", "ERROR"), { type: "status", previewId: "a", seq: 3, status: "running" }]));
      expect(first.map((b) => [b.previewId, b.events.map((e) => (e._tag === "line" ? e.line.id : e.status))])).toEqual([["a", [1, 2, "running"]], ["b", [1]]]);
      // The sink retries a batch it got no answer for: nothing is stored twice, nothing is fanned out again.
      expect(await run(store.append([line("a", 2, "boom", "ERROR"), line("a", 4)]))).toEqual([{ previewId: "a", events: [{ _tag: "line", line: expect.objectContaining({ id: 3, message: "line 4" }) }] }]);
      expect((await run(store.page("a", { after: 0, limit: 10 }))).map((l) => [l.id, l.message])).toEqual([[1, "line 1"], [2, "boom"], [3, "line 4"]]);
      expect((await run(store.page("a", { after: 1, limit: 1 }))).map((l) => l.id)).toEqual([2]);
      expect((await run(store.page("a", { after: 0, limit: 10, minLevel: "ERROR" }))).map((l) => l.message)).toEqual(["boom"]);
      expect(await run(store.tailStart("a", 2))).toBe(1);
      expect(await run(store.tailStart("a", 10))).toBe(0);
      expect(await run(store.state("a"))).toEqual({ status: "running" });
      expect(await run(store.state("nobody"))).toEqual({ status: null });
      expect(await run(store.append([]))).toEqual([]);
    } finally {
      await dispose();
    }
  });

  it("prunes the oldest lines past the retention limit, says so in a WARN line, and never reuses an id", async () => {
    const { store, run, dispose } = await openStore(dialect, { maxLines: 100, maxBytes: 1_000_000 });
    try {
      // 1,200 lines in one batch: more than the SQLite insert chunk, and over the limit 12 times.
      const batch = await run(store.append(Array.from({ length: 1200 }, (_, i) => line("p", i + 1))));
      const events = batch[0]?.events ?? [];
      const warn = events.at(-1);
      expect(warn?._tag === "line" && warn.line).toMatchObject({ id: 1201, level: "WARN", source: "system", message: expect.stringMatching(/^Removed the 1110 oldest lines \(\d+ bytes\) to stay within the retention limit of 100 lines/) });
      const kept = await run(store.page("p", { after: 0, limit: 1000 }));
      expect(kept.map((l) => l.id)).toEqual(Array.from({ length: 91 }, (_, i) => 1111 + i));
      await run(store.append([line("p", 1201, "after")]));
      expect((await run(store.page("p", { after: 1201, limit: 10 }))).map((l) => [l.id, l.message])).toEqual([[1202, "after"]]);
    } finally {
      await dispose();
    }
  });

  it("keeps its lines across a reopen of the same database", async () => {
    const first = await openStore(dialect);
    await first.run(first.store.append([line("r", 1), line("r", 2)]));
    await first.dispose();
    const again = await openStore(dialect, limits, first.name);
    try {
      await again.run(again.store.append([line("r", 2), line("r", 3)]));
      expect((await again.run(again.store.page("r", { after: 0, limit: 10 }))).map((l) => l.message)).toEqual(["line 1", "line 2", "line 3"]);
    } finally {
      await again.dispose();
    }
  });

  it("a batch retried to a second replica while the first still stores it is stored once, ids with no gap", async () => {
    const a = await openStore(dialect);
    const b = await openStore(dialect, limits, a.name);
    try {
      // One sink, batches in order; each is sent to both replicas at once (a retry after a timeout
      // that overlaps the first attempt), while another preview's lines go through both too.
      const batch = (previewId: string, k: number) => Array.from({ length: 10 }, (_, i) => line(previewId, k * 10 + i + 1, `${previewId}-${k * 10 + i}`));
      const other = Promise.all(Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? a : b).run((k % 2 === 0 ? a : b).store.append(batch(`other${k}`, 0)))));
      for (let k = 0; k < 20; k++) {
        const [first, second] = await Promise.all([a.run(a.store.append(batch("shared", k))), b.run(b.store.append(batch("shared", k)))]);
        // Exactly one of the two stored (and so fans out) the batch's lines.
        expect([first, second].map((r) => r.flatMap((x) => x.events).length).sort()).toEqual([0, 10]);
      }
      await other;
      const stored = await a.run(a.store.page("shared", { after: 0, limit: 1000 }));
      expect(stored.map((l) => l.id)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(stored.map((l) => l.message)).toEqual(Array.from({ length: 200 }, (_, i) => `shared-${i}`));
      expect((await b.run(b.store.page("other7", { after: 0, limit: 100 }))).map((l) => l.id)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
    }
  });
});

describe("replicas starting together on an empty PostgreSQL", () => {
  it("all come up: the logs and orchestrator migrations take turns under the advisory lock, each in its own journal", async () => {
    const url = databaseNamed(`together${++n}`);
    const runtimes = [
      ...Array.from({ length: 3 }, () => ManagedRuntime.make(LogStorePgLive(limits).pipe(Layer.provide(LogsPgDbLive(url))))),
      ...Array.from({ length: 3 }, () => ManagedRuntime.make(OrchestratorPgDbLive(url))),
    ];
    try {
      await Promise.all(runtimes.map((r) => r.runPromise(Effect.void)));
      const store = await (runtimes[0] as ManagedRuntime.ManagedRuntime<LogStore, never>).runPromise(Effect.service(LogStore));
      expect(await (runtimes[0] as ManagedRuntime.ManagedRuntime<LogStore, never>).runPromise(store.append([line("t", 1)]))).toHaveLength(1);
      const journals = execFileSync("psql", ["-X", "-A", "-t", url, "-c", "select (select count(*) from drizzle.__logs_migrations) || ',' || (select count(*) from drizzle.__orchestrator_migrations)"], { encoding: "utf8" }).trim();
      // One journal row per migration each service ships, none applied twice.
      const shipped = (dir: string) => (JSON.parse(readFileSync(join(dir, "meta", "_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;
      expect(journals).toBe(`${shipped("services/logs/db/migrations-pg")},${shipped("services/orchestrator/db/migrations-pg")}`);
    } finally {
      await Promise.all(runtimes.map((r) => r.dispose()));
    }
  });
});
