import type { LogLineInput } from "../logsink/contract.ts";
import { systemLine } from "../logsink/contract.ts";
import type { PreviewStatus } from "../previews/contract.ts";
import type { IngestRecord } from "./schemas.ts";

export const dropMessage = (n: number) => `${n} lines dropped while logs were unreachable`;

export interface OutboxBatch {
  readonly count: number;
  readonly records: ReadonlyArray<IngestRecord>;
  /** The records as NDJSON, for delivery over HTTP. */
  readonly body: string;
}

/**
 * The orchestrator's side of log delivery: records waiting to be sent, in order, with a bound on
 * lines. A line that finds it full is counted, not kept; the count is delivered as a `system`
 * line where the gap is, once there is room again. Statuses are always kept (a few per preview).
 */
export class Outbox {
  private readonly queue: IngestRecord[] = [];
  private head = 0;
  private lines = 0;
  private readonly seqs = new Map<string, number>();
  private readonly dropped = new Map<string, number>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
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
    this.queue.push({ type: "status", previewId, seq: this.nextSeq(previewId), status });
  }

  /** After a delivery frees room: every pending drop count becomes its line now. */
  markAllDrops(): void {
    for (const previewId of [...this.dropped.keys()]) this.markDrops(previewId);
  }

  /** The oldest records as one NDJSON body, within the limits; they stay queued until `ack`. */
  peek(maxRecords: number, maxBytes: number): OutboxBatch {
    const parts: string[] = [];
    let bytes = 0;
    for (let i = this.head; i < this.queue.length && parts.length < maxRecords; i++) {
      const json = JSON.stringify(this.queue[i]) + "\n";
      if (parts.length > 0 && bytes + json.length > maxBytes) break;
      parts.push(json);
      bytes += json.length;
    }
    return { count: parts.length, records: this.queue.slice(this.head, this.head + parts.length), body: parts.join("") };
  }

  ack(count: number): void {
    for (let i = 0; i < count; i++) {
      if (this.queue[this.head + i]?.type === "line") this.lines -= 1;
    }
    this.head += count;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
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
    this.queue.push({ type: "line", previewId, seq: this.nextSeq(previewId), timestamp: line.timestamp, level: line.level, source: line.source, message: line.message });
  }

  private nextSeq(previewId: string): number {
    const seq = (this.seqs.get(previewId) ?? 0) + 1;
    this.seqs.set(previewId, seq);
    return seq;
  }
}
