import type { LogLineInput } from "../logsink/contract.ts";
import { systemLine } from "../logsink/contract.ts";
import type { PreviewStatus } from "../previews/contract.ts";
import { isFinalStatus } from "./statuses.ts";
import type { DeliveryLedger } from "./delivery-ledger.ts";
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
  /** Counts, per preview, output lines taken in and settled, so a crash's loss can be said after it. */
  readonly ledger?: DeliveryLedger;
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
  /** Output lines each queued record stands for (a line 1, a drop marker its count, the rest 0); index-aligned with `queue`. */
  private readonly accounts: number[] = [];
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
  private readonly ledger: DeliveryLedger | undefined;
  /** Whether the last delivery failed: lines dropped for room then were lost to the outage. */
  unreachable = false;

  constructor(capacity: number, options: OutboxOptions = {}) {
    this.capacity = capacity;
    this.seqFloor = options.seqFloor ?? 0;
    this.perPreviewLines = options.perPreviewLines ?? capacity;
    this.budgets = options.rate === undefined ? undefined : new LineBudgets(options.rate);
    this.ledger = options.ledger;
  }

  get size(): number {
    return this.queue.length - this.head;
  }

  pushLine(previewId: string, line: LogLineInput): void {
    if (line.source !== "system") this.ledger?.taken(previewId);
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
    this.enqueue({ type: "status", previewId, seq: this.nextSeq(previewId), status }, 0);
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

  /** Tells the ledger which output lines the first `count` records carry, on their way now (0: none). */
  sending(count: number): void {
    if (this.ledger === undefined) return;
    const perPreview = new Map<string, number>();
    for (let i = this.head; i < this.head + count && i < this.queue.length; i++) {
      const record = this.queue[i];
      const accounts = this.accounts[i] ?? 0;
      if (record !== undefined && accounts > 0) perPreview.set(record.previewId, (perPreview.get(record.previewId) ?? 0) + accounts);
    }
    this.ledger.sending(perPreview);
  }

  ack(count: number): void {
    for (let i = 0; i < count; i++) {
      const record = this.queue[this.head + i];
      const accounts = this.accounts[this.head + i] ?? 0;
      if (record !== undefined && accounts > 0) this.ledger?.settled(record.previewId, accounts);
      if (record?.type === "status" && isFinalStatus(record.status)) this.ledger?.forget(record.previewId);
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
      this.accounts.splice(0, this.head);
      this.head = 0;
    }
  }

  private markDrops(previewId: string): void {
    const overRate = this.rateDropped.get(previewId);
    if (overRate !== undefined && this.budgets !== undefined) {
      this.rateDropped.delete(previewId);
      this.enqueueLine(previewId, systemLine(rateDropMessage(overRate, this.budgets.rate.linesPerSecond), "WARN"), overRate);
    }
    const drop = this.dropped.get(previewId);
    if (drop === undefined) return;
    this.dropped.delete(previewId);
    this.enqueueLine(previewId, systemLine(drop.unreachable ? dropMessage(drop.n) : slowDropMessage(drop.n), "WARN"), drop.n);
  }

  private enqueueLine(previewId: string, line: LogLineInput, accounts = line.source === "system" ? 0 : 1): void {
    this.lines += 1;
    this.queued.set(previewId, (this.queued.get(previewId) ?? 0) + 1);
    this.enqueue({ type: "line", previewId, seq: this.nextSeq(previewId), timestamp: line.timestamp, level: line.level, source: line.source, message: line.message }, accounts);
  }

  private enqueue(record: IngestRecord, accounts: number): void {
    this.queue.push(record);
    this.accounts.push(accounts);
    this.encoded.push(JSON.stringify(record) + "\n");
  }

  private nextSeq(previewId: string): number {
    const seq = (this.seqs.get(previewId) ?? this.seqFloor) + 1;
    this.seqs.set(previewId, seq);
    return seq;
  }
}
