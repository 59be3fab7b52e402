import type { StoredBatch, StoredEvent } from "../../libs/logs/contract.ts";
import { type IngestRecord, type LogLine, levelRank, logLevels } from "../../libs/logs/schemas.ts";
import type { LogLevel } from "../../libs/logsink/level.ts";
import { type LogLineInput, systemLine } from "../../libs/logsink/contract.ts";
import type { PreviewCounters, RetentionLimits } from "./retention.ts";

/** A stored line's row, the same in either dialect. */
export interface LineRow extends LogLine {
  readonly previewId: string;
  readonly bytes: number;
}

export const emptyCounters = (previewId: string): PreviewCounters =>
  ({ previewId, lastId: 0, lastSeq: 0, lineCount: 0, byteCount: 0, status: null });

/**
 * What one ingest batch does to the previews it names, decided in memory from their counters
 * (read inside the storing transaction): the rows to insert, the events to fan out, the counters
 * to write back. Records already stored (seq ≤ lastSeq) are skipped, so a retried batch is harmless.
 * SQLite and PostgreSQL stores both run it; only the reads and writes around it differ.
 */
export const planAppend = (records: ReadonlyArray<IngestRecord>, counters: Map<string, PreviewCounters>) => {
  const events = new Map<string, StoredEvent[]>();
  const rows: LineRow[] = [];
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
      c = emptyCounters(record.previewId);
      counters.set(record.previewId, c);
    }
    if (!events.has(c.previewId)) events.set(c.previewId, []);
    if (record.seq <= c.lastSeq) continue;
    c.lastSeq = record.seq;
    if (record.type === "line") addLine(c, record);
    else {
      c.status = record.status;
      events.get(c.previewId)?.push({ _tag: "status", status: record.status });
    }
  }
  return {
    rows,
    /** Takes the rows planned so far (the next ones start a new list). */
    takeRows: (): LineRow[] => rows.splice(0, rows.length),
    /** After pruning: the line that says so, stored and fanned out like any other. */
    addPrunedLine: (c: PreviewCounters, pruned: { lines: number; bytes: number }, limits: RetentionLimits) =>
      addLine(c, systemLine(`Removed the ${pruned.lines} oldest lines (${pruned.bytes} bytes) to stay within the retention limit of ${limits.maxLines} lines and ${limits.maxBytes} bytes per preview`, "WARN")),
    batches: (): StoredBatch[] => [...events].filter(([, list]) => list.length > 0).map(([previewId, list]) => ({ previewId, events: list })),
  };
};

/** A preview's counters row written back after a batch. */
export const countersRow = (c: PreviewCounters, now: number) =>
  ({ lastId: c.lastId, lastSeq: c.lastSeq, lineCount: c.lineCount, byteCount: c.byteCount, status: c.status, updatedAt: now });

/** The levels a `minLevel` filter keeps (undefined: no filter). */
export const levelsFrom = (minLevel: LogLevel | undefined) =>
  minLevel === undefined ? undefined : logLevels.filter((l) => levelRank(l) >= levelRank(minLevel));
