import { and, asc, desc, eq, gt, inArray } from "drizzle-orm";
import { Effect, Layer } from "effect";
import { LogStore, type StoredBatch, type StoredEvent } from "../../libs/logs/contract.ts";
import { type LogLine, levelRank, logLevels } from "../../libs/logs/schemas.ts";
import { type LogLineInput, systemLine } from "../../libs/logsink/contract.ts";
import { LogsDb, type LogsTx } from "./db/logs-db.ts";
import { logLines, logPreviews } from "./db/schema.ts";
import { type PreviewCounters, type RetentionLimits, pruneIfOver } from "./retention.ts";

const lineColumns = { id: logLines.id, timestamp: logLines.timestamp, level: logLines.level, source: logLines.source, message: logLines.message };

// SQLite caps bound parameters per statement; 7 columns × 500 rows stays well under it.
const insertChunk = 500;

const loadCounters = (tx: LogsTx, previewId: string): PreviewCounters => {
  const row = tx.select().from(logPreviews).where(eq(logPreviews.previewId, previewId)).get();
  return row === undefined
    ? { previewId, lastId: 0, lastSeq: 0, lineCount: 0, byteCount: 0, status: null }
    : { previewId, lastId: row.lastId, lastSeq: row.lastSeq, lineCount: row.lineCount, byteCount: row.byteCount, status: row.status };
};

export const LogStoreLive = (limits: RetentionLimits) =>
  Layer.effect(LogStore, Effect.gen(function* () {
    const db = yield* LogsDb;

    const appendSync = (records: Parameters<LogStore["Service"]["append"]>[0]): StoredBatch[] =>
      db.transaction((tx) => {
        const counters = new Map<string, PreviewCounters>();
        const events = new Map<string, StoredEvent[]>();
        const rows: (typeof logLines.$inferInsert)[] = [];
        const addLine = (c: PreviewCounters, input: LogLineInput) => {
          c.lastId += 1;
          const line: LogLine = { id: c.lastId, timestamp: input.timestamp, level: input.level, source: input.source, message: input.message };
          const bytes = Buffer.byteLength(line.message);
          rows.push({ previewId: c.previewId, ...line, bytes });
          c.lineCount += 1;
          c.byteCount += bytes;
          events.get(c.previewId)?.push({ _tag: "line", line });
        };
        for (const record of records) {
          let c = counters.get(record.previewId);
          if (c === undefined) {
            c = loadCounters(tx, record.previewId);
            counters.set(record.previewId, c);
            events.set(record.previewId, []);
          }
          if (record.seq <= c.lastSeq) continue;
          c.lastSeq = record.seq;
          if (record.type === "line") addLine(c, record);
          else {
            c.status = record.status;
            events.get(c.previewId)?.push({ _tag: "status", status: record.status });
          }
        }
        for (let i = 0; i < rows.length; i += insertChunk) tx.insert(logLines).values(rows.slice(i, i + insertChunk)).run();
        rows.length = 0;
        const now = Date.now();
        for (const c of counters.values()) {
          const pruned = pruneIfOver(tx, c, limits);
          if (pruned !== undefined) {
            addLine(c, systemLine(`Removed the ${pruned.lines} oldest lines (${pruned.bytes} bytes) to stay within the retention limit of ${limits.maxLines} lines and ${limits.maxBytes} bytes per preview`, "WARN"));
            tx.insert(logLines).values(rows).run();
            rows.length = 0;
          }
          const values = { lastId: c.lastId, lastSeq: c.lastSeq, lineCount: c.lineCount, byteCount: c.byteCount, status: c.status, updatedAt: now };
          tx.insert(logPreviews).values({ previewId: c.previewId, ...values })
            .onConflictDoUpdate({ target: logPreviews.previewId, set: values }).run();
        }
        return [...events].filter(([, list]) => list.length > 0).map(([previewId, list]) => ({ previewId, events: list }));
      }, { behavior: "immediate" });

    return LogStore.of({
      append: (records) => Effect.sync(() => appendSync(records)),
      page: (previewId, query) => Effect.sync(() => {
        const levels = query.minLevel === undefined ? undefined : logLevels.filter((l) => levelRank(l) >= levelRank(query.minLevel ?? "DEBUG"));
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

