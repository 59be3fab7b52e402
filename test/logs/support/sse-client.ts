import { eventually } from "../../support/api.ts";

export interface SseEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

export interface LogEvent {
  readonly id: number;
  readonly timestamp: string;
  readonly level: string;
  readonly source: string;
  readonly message: string;
}

/**
 * A real SSE client over fetch, parsing the wire format the way EventSource does (fields, blank
 * line dispatch, comments). It records everything it reads until the stream ends or is closed.
 */
export class SseClient {
  readonly status: number;
  readonly headers: Headers;
  readonly events: SseEvent[] = [];
  comments = 0;
  retry: number | undefined;
  raw = "";
  ended = false;
  private readonly abort: AbortController;
  /** Resolves when the server ends the stream (or the client closes it). */
  readonly done: Promise<void>;

  private constructor(res: Response, abort: AbortController) {
    this.status = res.status;
    this.headers = res.headers;
    this.abort = abort;
    this.done = res.status === 200 && res.body !== null ? this.read(res.body) : res.text().then(() => { this.ended = true; });
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const abort = new AbortController();
    const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
    return new SseClient(res, abort);
  }

  readonly logs: LogEvent[] = [];

  get statuses(): string[] {
    return this.events.filter((e) => e.event === "status").map((e) => (JSON.parse(e.data) as { status: string }).status);
  }

  get lastId(): number | undefined {
    return this.logs.at(-1)?.id;
  }

  waitForLog(predicate: (l: LogEvent) => boolean, what = "a log line"): Promise<LogEvent> {
    return eventually(() => this.logs.find(predicate), 30_000, what);
  }

  close(): Promise<void> {
    this.abort.abort();
    return this.done;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of body) {
        const text = decoder.decode(chunk, { stream: true });
        this.raw += text;
        buffer += text;
        let start = 0;
        let end: number;
        while ((end = buffer.indexOf("\n\n", start)) !== -1) {
          this.dispatch(buffer.slice(start, end));
          start = end + 2;
        }
        buffer = buffer.slice(start);
      }
    } catch {
      // closed by us
    } finally {
      this.ended = true;
    }
  }

  private dispatch(block: string): void {
    let id: string | undefined;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) {
        this.comments += 1;
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "retry") this.retry = Number(value);
    }
    if (data.length === 0) return;
    const dispatched = { ...(id === undefined ? {} : { id }), event, data: data.join("\n") };
    this.events.push(dispatched);
    if (event === "log") this.logs.push(JSON.parse(dispatched.data) as LogEvent);
  }
}
