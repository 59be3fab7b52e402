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

export const walkPage = 1000;

/**
 * Which oldest lines of a preview over a limit go: down to 90% of it, so that pruning (and its
 * system line) happens once per tenth of the limit rather than on every batch. Fed pages of
 * (id, bytes) in id order, after `cutoff`, until `done`; then lines ≤ cutoff are deleted and
 * `apply` takes them off the counters. Undefined when the preview is within both limits.
 */
export const pruneWalk = (c: PreviewCounters, limits: RetentionLimits) => {
  if (c.lineCount <= limits.maxLines && c.byteCount <= limits.maxBytes) return undefined;
  const targetLines = Math.floor(limits.maxLines * 0.9);
  const targetBytes = Math.floor(limits.maxBytes * 0.9);
  let lines = 0;
  let bytes = 0;
  let cutoff = 0;
  let exhausted = false;
  const reached = () => c.lineCount - lines <= targetLines && c.byteCount - bytes <= targetBytes;
  return {
    get cutoff() {
      return cutoff;
    },
    done: () => exhausted || reached(),
    feed: (page: ReadonlyArray<{ readonly id: number; readonly bytes: number }>) => {
      if (page.length === 0) exhausted = true;
      for (const row of page) {
        lines += 1;
        bytes += row.bytes;
        cutoff = row.id;
        if (reached()) break;
      }
    },
    apply: () => {
      c.lineCount -= lines;
      c.byteCount -= bytes;
      return { lines, bytes };
    },
  };
};

/** SQLite: prunes a preview over a limit inside the storing transaction (see pruneWalk). */
export const pruneIfOver = (tx: LogsTx, c: PreviewCounters, limits: RetentionLimits): { lines: number; bytes: number } | undefined => {
  const walk = pruneWalk(c, limits);
  if (walk === undefined) return undefined;
  while (!walk.done()) {
    walk.feed(tx.select({ id: logLines.id, bytes: logLines.bytes }).from(logLines)
      .where(and(eq(logLines.previewId, c.previewId), gt(logLines.id, walk.cutoff)))
      .orderBy(asc(logLines.id)).limit(walkPage).all());
  }
  tx.delete(logLines).where(and(eq(logLines.previewId, c.previewId), lte(logLines.id, walk.cutoff))).run();
  return walk.apply();
};
