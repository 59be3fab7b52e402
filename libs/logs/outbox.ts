import type { LogLineInput } from "../logsink/contract.ts";
import { systemLine } from "../logsink/contract.ts";
import type { PreviewStatus } from "../previews/contract.ts";
import { isFinalStatus } from "./statuses.ts";
import { LineBudgets, type LineRate, rateDropMessage } from "./line-budget.ts";
import type { IngestRecord } from "./schemas.ts";

export const dropMessage = (n: number) => `${n} lines dropped while logs were unreachable`;
export const slowDropMessage = (n: number) => `${n} lines dropped: the logs service did not take them as fast as this preview wrote them`;

export interface OutboxOptions {
  /**
   * Every preview's sequence numbers start above it. The sink passes the time it started in
   * microseconds, so a restarted orchestrator numbers a preview it re-adopts above anything the
   * previous one sent (a preview would have to pass a million records a second, far over any
   * rate budget, to outrun it), and the logs service, which skips `seq <= lastSeq`, keeps them.
   */
  readonly seqFloor?: number;
  /** Lines one preview may have queued, so one preview cannot fill the queue for all (default: all of it). */
  readonly perPreviewLines?: number;
  /** Each preview's rate budget: lines over it are counted as its own loss and said so. */
  readonly rate?: LineRate;
}

export interface OutboxBatch {
  readonly count: number;
  readonly records: ReadonlyArray<IngestRecord>;
  /** The records as NDJSON, for delivery over HTTP; joined only when read. */
  readonly body: string;
}

/**
 * The orchestrator's side of log delivery: records waiting to be sent, in order, with a bound on
 * lines, in all and per preview, and a rate budget per preview. A line that finds its preview's
 * budget spent or its share full is counted, not kept; the count is delivered as a `system` line
 * where the gap is, saying which limit it hit. Statuses and the platform's own lines are always kept.
 */
export class Outbox {
  private readonly queue: IngestRecord[] = [];
  /** Each queued record's NDJSON line, encoded once when enqueued; index-aligned with `queue`. */
  private readonly encoded: string[] = [];
  private head = 0;
  private lines = 0;
  private readonly seqs = new Map<string, number>();
  /** Lines dropped for room, and whether any of them while deliveries were failing. */
  private readonly dropped = new Map<string, { n: number; unreachable: boolean }>();
  private readonly rateDropped = new Map<string, number>();
  private readonly queued = new Map<string, number>();
  private readonly capacity: number;
  private readonly seqFloor: number;
  private readonly perPreviewLines: number;
  private readonly budgets: LineBudgets | undefined;
  /** Whether the last delivery failed: lines dropped for room then were lost to the outage. */
  unreachable = false;

  constructor(capacity: number, options: OutboxOptions = {}) {
    this.capacity = capacity;
    this.seqFloor = options.seqFloor ?? 0;
    this.perPreviewLines = options.perPreviewLines ?? capacity;
    this.budgets = options.rate === undefined ? undefined : new LineBudgets(options.rate);
  }

  get size(): number {
    return this.queue.length - this.head;
  }

  pushLine(previewId: string, line: LogLineInput): void {
    if (line.source !== "system" && this.budgets !== undefined && !this.budgets.take(previewId)) {
      this.rateDropped.set(previewId, (this.rateDropped.get(previewId) ?? 0) + 1);
      return;
    }
    if (this.lines >= this.capacity || (this.queued.get(previewId) ?? 0) >= this.perPreviewLines) {
      const drop = this.dropped.get(previewId) ?? { n: 0, unreachable: false };
      this.dropped.set(previewId, { n: drop.n + 1, unreachable: drop.unreachable || this.unreachable });
      return;
    }
    this.markDrops(previewId);
    this.enqueueLine(previewId, line);
  }

  pushStatus(previewId: string, status: PreviewStatus): void {
    this.markDrops(previewId);
    this.enqueue({ type: "status", previewId, seq: this.nextSeq(previewId), status });
    if (isFinalStatus(status)) this.budgets?.forget(previewId);
  }

  /** After a delivery frees room: every pending drop count becomes its line now. */
  markAllDrops(): void {
    for (const previewId of new Set([...this.dropped.keys(), ...this.rateDropped.keys()])) this.markDrops(previewId);
  }

  /** The oldest records as one NDJSON body, within the limits; they stay queued until `ack`. */
  peek(maxRecords: number, maxBytes: number): OutboxBatch {
    let count = 0;
    let bytes = 0;
    for (let i = this.head; i < this.queue.length && count < maxRecords; i++) {
      const length = (this.encoded[i] ?? "").length;
      if (count > 0 && bytes + length > maxBytes) break;
      count += 1;
      bytes += length;
    }
    const records = this.queue.slice(this.head, this.head + count);
    const parts = this.encoded.slice(this.head, this.head + count);
    // Only the HTTP sink reads the body; the in-process one hands over the records.
    return { count, records, get body() { return parts.join(""); } };
  }

  ack(count: number): void {
    for (let i = 0; i < count; i++) {
      const record = this.queue[this.head + i];
      if (record?.type !== "line") continue;
      this.lines -= 1;
      const left = (this.queued.get(record.previewId) ?? 1) - 1;
      if (left === 0) this.queued.delete(record.previewId);
      else this.queued.set(record.previewId, left);
    }
    this.head += count;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.encoded.splice(0, this.head);
      this.head = 0;
    }
  }

  private markDrops(previewId: string): void {
    const overRate = this.rateDropped.get(previewId);
    if (overRate !== undefined && this.budgets !== undefined) {
      this.rateDropped.delete(previewId);
      this.enqueueLine(previewId, systemLine(rateDropMessage(overRate, this.budgets.rate.linesPerSecond), "WARN"));
    }
    const drop = this.dropped.get(previewId);
    if (drop === undefined) return;
    this.dropped.delete(previewId);
    this.enqueueLine(previewId, systemLine(drop.unreachable ? dropMessage(drop.n) : slowDropMessage(drop.n), "WARN"));
  }

  private enqueueLine(previewId: string, line: LogLineInput): void {
    this.lines += 1;
    this.queued.set(previewId, (this.queued.get(previewId) ?? 0) + 1);
    this.enqueue({ type: "line", previewId, seq: this.nextSeq(previewId), timestamp: line.timestamp, level: line.level, source: line.source, message: line.message });
  }

  private enqueue(record: IngestRecord): void {
    this.queue.push(record);
    this.encoded.push(JSON.stringify(record) + "\n");
  }

  private nextSeq(previewId: string): number {
    const seq = (this.seqs.get(previewId) ?? this.seqFloor) + 1;
    this.seqs.set(previewId, seq);
    return seq;
  }
}
