import { and, asc, desc, eq, gt, inArray } from "drizzle-orm";
import { Effect, Layer } from "effect";
import { LogStore, type StoredBatch } from "../../libs/logs/contract.ts";
import { countersRow, type LineRow, levelsFrom, planAppend } from "./append-plan.ts";
import { LogsDb, type LogsTx } from "./db/logs-db.ts";
import { logLines, logPreviews } from "./db/schema.ts";
import { type PreviewCounters, type RetentionLimits, pruneIfOver } from "./retention.ts";

const lineColumns = { id: logLines.id, timestamp: logLines.timestamp, level: logLines.level, source: logLines.source, message: logLines.message };

// SQLite caps bound parameters per statement; 7 columns × 500 rows stays well under it.
export const insertChunk = 500;

const loadCounters = (tx: LogsTx, previewIds: ReadonlyArray<string>): Map<string, PreviewCounters> => {
  const rows = tx.select().from(logPreviews).where(inArray(logPreviews.previewId, [...previewIds])).all();
  return new Map(rows.map((row) => [row.previewId, { previewId: row.previewId, lastId: row.lastId, lastSeq: row.lastSeq, lineCount: row.lineCount, byteCount: row.byteCount, status: row.status }]));
};

/** The embedded store: logs.db through node:sqlite, synchronous, one IMMEDIATE transaction per batch. */
export const LogStoreLive = (limits: RetentionLimits) =>
  Layer.effect(LogStore, Effect.gen(function* () {
    const db = yield* LogsDb;

    const appendSync = (records: Parameters<LogStore["Service"]["append"]>[0]): StoredBatch[] =>
      db.transaction((tx) => {
        const counters = loadCounters(tx, [...new Set(records.map((r) => r.previewId))]);
        const plan = planAppend(records, counters);
        const insert = (rows: ReadonlyArray<LineRow>) => {
          for (let i = 0; i < rows.length; i += insertChunk) tx.insert(logLines).values(rows.slice(i, i + insertChunk)).run();
        };
        insert(plan.takeRows());
        const now = Date.now();
        for (const c of counters.values()) {
          const pruned = pruneIfOver(tx, c, limits);
          if (pruned !== undefined) {
            plan.addPrunedLine(c, pruned, limits);
            insert(plan.takeRows());
          }
          const values = countersRow(c, now);
          tx.insert(logPreviews).values({ previewId: c.previewId, ...values })
            .onConflictDoUpdate({ target: logPreviews.previewId, set: values }).run();
        }
        return plan.batches();
      }, { behavior: "immediate" });

    return LogStore.of({
      append: (records) => Effect.sync(() => appendSync(records)),
      page: (previewId, query) => Effect.sync(() => {
        const levels = levelsFrom(query.minLevel);
        return db.select(lineColumns).from(logLines)
          .where(and(eq(logLines.previewId, previewId), gt(logLines.id, query.after), levels === undefined ? undefined : inArray(logLines.level, levels)))
          .orderBy(asc(logLines.id)).limit(query.limit).all();
      }),
      tailStart: (previewId, n) => Effect.sync(() => {
        const row = db.select({ id: logLines.id }).from(logLines).where(eq(logLines.previewId, previewId))
          .orderBy(desc(logLines.id)).limit(1).offset(n).get();
        return row?.id ?? 0;
      }),
      state: (previewId) => Effect.sync(() => {
        const row = db.select({ status: logPreviews.status }).from(logPreviews).where(eq(logPreviews.previewId, previewId)).get();
        return row ?? { status: null };
      }),
    });
  }));

