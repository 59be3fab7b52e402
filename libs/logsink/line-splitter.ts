/** Longest line kept whole; the rest of a longer line is dropped and the cut is marked. */
export const maxLineBytes = 16 * 1024;
export const cutMarker = " [… line cut at 16 KiB]";

/**
 * Turns a byte stream into lines: partial lines are joined across chunks, invalid UTF-8 becomes
 * U+FFFD, `\r\n` counts as one break, and a line over 16 KiB is cut with a marker.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });
  private pending = "";
  private cutting = false;
  private readonly onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.onLine = onLine;
  }

  push(chunk: Uint8Array): void {
    this.consume(this.decoder.decode(chunk, { stream: true }));
  }

  /** Flushes a last line that had no newline. */
  end(): void {
    this.consume(this.decoder.decode());
    if (this.pending !== "" && !this.cutting) this.onLine(this.pending);
    this.pending = "";
    this.cutting = false;
  }

  private consume(text: string): void {
    let start = 0;
    for (;;) {
      const newline = text.indexOf("\n", start);
      const piece = text.slice(start, newline === -1 ? undefined : newline);
      this.append(piece);
      if (newline === -1) return;
      if (!this.cutting) this.onLine(this.pending.endsWith("\r") ? this.pending.slice(0, -1) : this.pending);
      this.pending = "";
      this.cutting = false;
      start = newline + 1;
    }
  }

  private append(piece: string): void {
    if (this.cutting) return;
    this.pending += piece;
    if (Buffer.byteLength(this.pending) > maxLineBytes) {
      this.onLine(Buffer.from(this.pending).subarray(0, maxLineBytes).toString("utf8").replace(/\uFFFD$/, "") + cutMarker);
      this.pending = "";
      this.cutting = true;
    }
  }
}
