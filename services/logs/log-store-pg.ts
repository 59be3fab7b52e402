import { and, asc, desc, eq, gt, inArray, lte } from "drizzle-orm";
import { Effect, Layer } from "effect";
import { LogStore } from "../../libs/logs/contract.ts";
import { countersRow, type LineRow, levelsFrom, planAppend } from "./append-plan.ts";
import { LogsPgDb, type LogsPgDatabase } from "./db/logs-pg-db.ts";
import { logLines, logPreviews } from "./db/schema-pg.ts";
import { insertChunk } from "./log-store.ts";
import { type PreviewCounters, type RetentionLimits, pruneWalk, walkPage } from "./retention.ts";

type Tx = Parameters<Parameters<LogsPgDatabase["transaction"]>[0]>[0];

const lineColumns = { id: logLines.id, timestamp: logLines.timestamp, level: logLines.level, source: logLines.source, message: logLines.message };

/**
 * Locks the counters rows of the batch's previews (created first if new, in id order so two
 * replicas storing overlapping batches cannot deadlock): ids are handed out under the lock, so
 * two logs replicas storing lines of one preview never give two lines one id.
 */
const lockCounters = async (tx: Tx, previewIds: ReadonlyArray<string>, now: number): Promise<Map<string, PreviewCounters>> => {
  const sorted = [...previewIds].sort();
  await tx.insert(logPreviews).values(sorted.map((previewId) => ({ previewId, updatedAt: now }))).onConflictDoNothing();
  const rows = await tx.select().from(logPreviews).where(inArray(logPreviews.previewId, sorted)).orderBy(asc(logPreviews.previewId)).for("update");
  return new Map(rows.map((row) => [row.previewId, { previewId: row.previewId, lastId: row.lastId, lastSeq: row.lastSeq, lineCount: row.lineCount, byteCount: row.byteCount, status: row.status }]));
};

const pruneIfOver = async (tx: Tx, c: PreviewCounters, limits: RetentionLimits) => {
  const walk = pruneWalk(c, limits);
  if (walk === undefined) return undefined;
  while (!walk.done()) {
    walk.feed(await tx.select({ id: logLines.id, bytes: logLines.bytes }).from(logLines)
      .where(and(eq(logLines.previewId, c.previewId), gt(logLines.id, walk.cutoff)))
      .orderBy(asc(logLines.id)).limit(walkPage));
  }
  await tx.delete(logLines).where(and(eq(logLines.previewId, c.previewId), lte(logLines.id, walk.cutoff)));
  return walk.apply();
};

/** The scale-out store: the same tables, plan and queries as LogStoreLive, on PostgreSQL. */
export const LogStorePgLive = (limits: RetentionLimits) =>
  Layer.effect(LogStore, Effect.gen(function* () {
    const db = yield* LogsPgDb;

    const append = (records: Parameters<LogStore["Service"]["append"]>[0]) =>
      db.transaction(async (tx) => {
        const previewIds = [...new Set(records.map((r) => r.previewId))];
        if (previewIds.length === 0) return [];
        const now = Date.now();
        const counters = await lockCounters(tx, previewIds, now);
        const plan = planAppend(records, counters);
        const insert = async (rows: ReadonlyArray<LineRow>) => {
          for (let i = 0; i < rows.length; i += insertChunk) await tx.insert(logLines).values(rows.slice(i, i + insertChunk));
        };
        await insert(plan.takeRows());
        for (const c of counters.values()) {
          const pruned = await pruneIfOver(tx, c, limits);
          if (pruned !== undefined) {
            plan.addPrunedLine(c, pruned, limits);
            await insert(plan.takeRows());
          }
          await tx.update(logPreviews).set(countersRow(c, now)).where(eq(logPreviews.previewId, c.previewId));
        }
        return plan.batches();
      });

    return LogStore.of({
      append: (records) => Effect.promise(() => append(records)),
      page: (previewId, query) => Effect.promise(() => {
        const levels = levelsFrom(query.minLevel);
        return db.select(lineColumns).from(logLines)
          .where(and(eq(logLines.previewId, previewId), gt(logLines.id, query.after), levels === undefined ? undefined : inArray(logLines.level, levels)))
          .orderBy(asc(logLines.id)).limit(query.limit);
      }),
      tailStart: (previewId, n) => Effect.promise(async () => {
        const [row] = await db.select({ id: logLines.id }).from(logLines).where(eq(logLines.previewId, previewId))
          .orderBy(desc(logLines.id)).limit(1).offset(n);
        return row?.id ?? 0;
      }),
      state: (previewId) => Effect.promise(async () => {
        const [row] = await db.select({ status: logPreviews.status }).from(logPreviews).where(eq(logPreviews.previewId, previewId));
        return row ?? { status: null };
      }),
    });
  }));
