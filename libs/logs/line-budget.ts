/** How many output lines a second one preview may have kept, and how many at once above that rate. */
export interface LineRate {
  readonly linesPerSecond: number;
  readonly burstLines: number;
}

export const rateDropMessage = (n: number, linesPerSecond: number) =>
  `${n} lines dropped: this preview wrote more than ${linesPerSecond} lines/s`;

/**
 * A token bucket per preview: each kept line takes a token, tokens come back at the rate, up to
 * the burst. A preview over its rate loses its own lines only; nobody else's budget moves.
 */
export class LineBudgets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  readonly rate: LineRate;
  private readonly now: () => number;

  constructor(rate: LineRate, now: () => number = Date.now) {
    this.rate = rate;
    this.now = now;
  }

  take(previewId: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(previewId) ?? { tokens: this.rate.burstLines, at: now };
    bucket.tokens = Math.min(this.rate.burstLines, bucket.tokens + ((now - bucket.at) / 1000) * this.rate.linesPerSecond);
    bucket.at = now;
    this.buckets.set(previewId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** A preview that ended needs no bucket (the map stays as large as the live previews). */
  forget(previewId: string): void {
    this.buckets.delete(previewId);
  }
}
