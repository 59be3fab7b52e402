/** The last lines a preview printed, for a failure's `errorMessage`. */
export class OutputTail {
  private readonly lines: string[] = [];
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }

  /** The summary, then the tail with trailing blank lines dropped. */
  explain(summary: string): string {
    const tail = this.lines.join("\n").trimEnd();
    return tail === "" ? summary : `${summary}. Last output:\n${tail}`;
  }
}
