import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

/** Where the ledgers of the previews under `previewsRoot` are kept. */
export const ledgerDirIn = (previewsRoot: string): string => join(previewsRoot, ".ledgers");

const width = 20;
const record = (...counts: ReadonlyArray<number>) => Buffer.from(`${counts.map((n) => String(n).padStart(width)).join(" ")}\n`);

/**
 * Per preview: how many of its output lines this orchestrator took in, and how many of those are
 * settled (the logs service acknowledged them, or a drop marker counting them), and how many are
 * on their way (sent, not yet acknowledged: a crash leaves unknown whether they arrived). Kept in a small
 * file per preview, rewritten in place once per turn of the event loop (a fixed-width record at
 * offset 0, never truncated), so after a kill -9 the next orchestrator can say how many lines the
 * dead one had read from the preview but never delivered: taken − settled, less up to the ones on their way.
 * One window stays: a kill after a read from the preview's pipe and before this turn's record is
 * written loses that read's lines uncounted (microseconds; a count kept by the reader cannot close it).
 */
export class DeliveryLedger {
  private readonly dir: string;
  private readonly counts = new Map<string, { taken: number; settled: number; sending: number; fd: number | undefined }>();
  private readonly dirty = new Set<string>();
  private scheduled = false;

  constructor(dir: string) {
    this.dir = dir;
  }

  taken(previewId: string, n = 1): void {
    this.entry(previewId).taken += n;
    this.touch(previewId);
  }

  settled(previewId: string, n: number): void {
    this.entry(previewId).settled += n;
    this.touch(previewId);
  }

  /** The output lines of each preview in the batch being delivered now (none: the delivery is over). */
  sending(perPreview: ReadonlyMap<string, number>): void {
    for (const [previewId, entry] of this.counts) {
      const n = perPreview.get(previewId) ?? 0;
      if (entry.sending === n) continue;
      entry.sending = n;
      this.touch(previewId);
    }
  }

  /** The preview ended and its end was delivered: nothing of it can be lost any more. */
  forget(previewId: string): void {
    const entry = this.counts.get(previewId);
    this.counts.delete(previewId);
    this.dirty.delete(previewId);
    if (entry?.fd !== undefined) closeSync(entry.fd);
    rmSync(join(this.dir, previewId), { force: true });
    // The dir goes with the last ledger (a platform stopped in order leaves nothing under previews/).
    if (this.counts.size === 0) {
      try {
        rmdirSync(this.dir);
      } catch {
        // Not empty (a ledger a dead orchestrator left, not yet taken) or already gone.
      }
    }
  }

  private entry(previewId: string) {
    let entry = this.counts.get(previewId);
    if (entry === undefined) {
      entry = { taken: 0, settled: 0, sending: 0, fd: undefined };
      this.counts.set(previewId, entry);
    }
    return entry;
  }

  private touch(previewId: string): void {
    this.dirty.add(previewId);
    if (this.scheduled) return;
    this.scheduled = true;
    // Right after the code that took the lines (e.g. one read of a preview's output), before any other I/O.
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    for (const previewId of this.dirty) {
      const entry = this.counts.get(previewId);
      if (entry === undefined) continue;
      try {
        if (entry.fd === undefined) {
          mkdirSync(this.dir, { recursive: true });
          entry.fd = openSync(join(this.dir, previewId), "w");
        }
        const bytes = record(entry.taken, entry.settled, entry.sending);
        writeSync(entry.fd, bytes, 0, bytes.length, 0);
      } catch {
        // A ledger that cannot be written only costs the count in the next orchestrator's line.
      }
    }
    this.dirty.clear();
  }
}

/** Lines lost for sure, and at most (those on their way may have arrived). */
export interface LostLines {
  readonly atLeast: number;
  readonly atMost: number;
}

/**
 * The lines a previous orchestrator had read from a preview but not delivered when it died, from
 * its ledger, which goes (this orchestrator keeps its own); undefined when there is none.
 */
export const takeLostLines = (dir: string, previewId: string): LostLines | undefined => {
  const file = join(dir, previewId);
  try {
    const [taken, settled, sending = 0] = readFileSync(file, "utf8").trim().split(/\s+/).map(Number);
    if (taken === undefined || settled === undefined || ![taken, settled, sending].every(Number.isFinite)) return undefined;
    const atMost = Math.max(0, taken - settled);
    return { atLeast: Math.max(0, atMost - sending), atMost };
  } catch {
    return undefined;
  } finally {
    rmSync(file, { force: true });
  }
};
