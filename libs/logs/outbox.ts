import type { LogLineInput } from "../logsink/contract.ts";
import { systemLine } from "../logsink/contract.ts";
import type { PreviewStatus } from "../previews/contract.ts";
import type { IngestRecord } from "./schemas.ts";

export const dropMessage = (n: number) => `${n} lines dropped while logs were unreachable`;

export interface OutboxBatch {
  readonly count: number;
  readonly records: ReadonlyArray<IngestRecord>;
  /** The records as NDJSON, for delivery over HTTP; joined only when read. */
  readonly body: string;
}

/**
 * The orchestrator's side of log delivery: records waiting to be sent, in order, with a bound on
 * lines. A line that finds it full is counted, not kept; the count is delivered as a `system`
 * line where the gap is, once there is room again. Statuses are always kept (a few per preview).
 */
export class Outbox {
  private readonly queue: IngestRecord[] = [];
  /** Each queued record's NDJSON line, encoded once when enqueued; index-aligned with `queue`. */
  private readonly encoded: string[] = [];
  private head = 0;
  private lines = 0;
  private readonly seqs = new Map<string, number>();
  private readonly dropped = new Map<string, number>();
  private readonly capacity: number;
  private readonly seqFloor: number;

  /**
   * `seqFloor`: every preview's sequence numbers start above it. The sink passes the time it
   * started in microseconds, so a restarted orchestrator numbers a preview it re-adopts above
   * anything the previous one sent (unless that one sent over a million records a second), and
   * the logs service, which skips `seq <= lastSeq` as already stored, keeps them.
   */
  constructor(capacity: number, seqFloor = 0) {
    this.capacity = capacity;
    this.seqFloor = seqFloor;
  }

  get size(): number {
    return this.queue.length - this.head;
  }

  pushLine(previewId: string, line: LogLineInput): void {
    if (this.lines >= this.capacity) {
      this.dropped.set(previewId, (this.dropped.get(previewId) ?? 0) + 1);
      return;
    }
    this.markDrops(previewId);
    this.enqueueLine(previewId, line);
  }

  pushStatus(previewId: string, status: PreviewStatus): void {
    this.markDrops(previewId);
    this.enqueue({ type: "status", previewId, seq: this.nextSeq(previewId), status });
  }

  /** After a delivery frees room: every pending drop count becomes its line now. */
  markAllDrops(): void {
    for (const previewId of [...this.dropped.keys()]) this.markDrops(previewId);
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
      if (this.queue[this.head + i]?.type === "line") this.lines -= 1;
    }
    this.head += count;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.encoded.splice(0, this.head);
      this.head = 0;
    }
  }

  private markDrops(previewId: string): void {
    const n = this.dropped.get(previewId);
    if (n === undefined) return;
    this.dropped.delete(previewId);
    this.enqueueLine(previewId, systemLine(dropMessage(n), "WARN"));
  }

  private enqueueLine(previewId: string, line: LogLineInput): void {
    this.lines += 1;
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
