import { and, asc, eq, gt, lte } from "drizzle-orm";
import type { PreviewStatus } from "../../libs/previews/contract.ts";
import type { LogsTx } from "./db/logs-db.ts";
import { logLines } from "./db/schema.ts";

export interface RetentionLimits {
  readonly maxLines: number;
  readonly maxBytes: number;
}

/** A preview's row in log_previews, updated in place while a batch is stored. */
export interface PreviewCounters {
  readonly previewId: string;
  lastId: number;
  lastSeq: number;
  lineCount: number;
  byteCount: number;
  status: PreviewStatus | null;
}

const walkPage = 1000;

/**
 * Deletes the oldest lines of a preview that is over a limit, down to 90% of it, so that
 * pruning (and its system line) happens once per tenth of the limit rather than on every batch.
 */
export const pruneIfOver = (tx: LogsTx, c: PreviewCounters, limits: RetentionLimits): { lines: number; bytes: number } | undefined => {
  if (c.lineCount <= limits.maxLines && c.byteCount <= limits.maxBytes) return undefined;
  const targetLines = Math.floor(limits.maxLines * 0.9);
  const targetBytes = Math.floor(limits.maxBytes * 0.9);
  let lines = 0;
  let bytes = 0;
  let cutoff = 0;
  const done = () => c.lineCount - lines <= targetLines && c.byteCount - bytes <= targetBytes;
  while (!done()) {
    const page = tx.select({ id: logLines.id, bytes: logLines.bytes }).from(logLines)
      .where(and(eq(logLines.previewId, c.previewId), gt(logLines.id, cutoff)))
      .orderBy(asc(logLines.id)).limit(walkPage).all();
    if (page.length === 0) break;
    for (const row of page) {
      lines += 1;
      bytes += row.bytes;
      cutoff = row.id;
      if (done()) break;
    }
  }
  tx.delete(logLines).where(and(eq(logLines.previewId, c.previewId), lte(logLines.id, cutoff))).run();
  c.lineCount -= lines;
  c.byteCount -= bytes;
  return { lines, bytes };
};
