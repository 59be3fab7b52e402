import type { LogLine } from "../logs/schemas.ts";
import { isFinalStatus } from "../logs/statuses.ts";
import type { PreviewStatus } from "../previews/contract.ts";
import type { ApiError, ApiResult } from "./api-client.ts";

/** What a log stream needs of the API client (PreviewClient has it). */
export interface LogStreamClient {
  readonly logsToken: (generationId: string) => Promise<ApiResult<{ readonly token: string; readonly expiresAt: string }>>;
  readonly logStreamUrl: (generationId: string, token: string, from?: { lastEventId?: number; tail?: number }) => string;
}

export interface MessageLike {
  readonly data: string;
  readonly lastEventId: string;
}

/** What this stream needs of an EventSource: the browser's, or openFetchEventSource's. */
export interface EventSourceLike {
  readonly readyState: number;
  onerror: ((event: unknown) => void) | null;
  onopen: ((event: unknown) => void) | null;
  addEventListener(type: string, listener: (event: MessageLike) => void): void;
  close(): void;
}

export type ConnectionState = "connecting" | "open" | "reconnecting" | "ended" | "closed";

export interface PreviewLogStreamOptions {
  readonly client: LogStreamClient;
  readonly generationId: string;
  readonly open: (url: string) => EventSourceLike;
  /** Start with only the last N retained lines. */
  readonly tail?: number;
  /** Resume: start after this line id (a `LogLine.id` seen earlier); `tail` is then ignored. */
  readonly after?: number;
  readonly onLine?: (line: LogLine) => void;
  readonly onStatus?: (status: PreviewStatus) => void;
  readonly onState?: (state: ConnectionState) => void;
  readonly onError?: (error: ApiError) => void;
  /** Wait before reopening a stream the server closed (e.g. its token expired). */
  readonly reopenAfterMs?: number;
}

/**
 * A preview's log stream that survives drops: every line once, in order. It resumes after the
 * last id it delivered, fetches a fresh token when the old one is refused, and ends on the
 * preview's final status.
 */
export class PreviewLogStream {
  private readonly options: PreviewLogStreamOptions;
  private source: EventSourceLike | undefined;
  private lastId: number | undefined;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: PreviewLogStreamOptions) {
    this.options = options;
    this.lastId = options.after;
  }

  get lastEventId(): number | undefined {
    return this.lastId;
  }

  async start(): Promise<void> {
    this.options.onState?.(this.lastId === undefined ? "connecting" : "reconnecting");
    const token = await this.options.client.logsToken(this.options.generationId);
    if (this.stopped) return;
    if (!token.ok) {
      this.options.onError?.(token.error);
      return this.finish("closed");
    }
    const url = this.options.client.logStreamUrl(this.options.generationId, token.value.token, {
      ...(this.lastId === undefined ? {} : { lastEventId: this.lastId }),
      ...(this.lastId === undefined && this.options.tail !== undefined ? { tail: this.options.tail } : {}),
    });
    const source = this.options.open(url);
    this.source = source;
    source.onopen = () => this.options.onState?.("open");
    source.addEventListener("log", (e) => {
      const line = JSON.parse(e.data) as LogLine;
      // A reconnect may replay what was already shown; ids are strictly increasing per preview.
      if (this.lastId !== undefined && line.id <= this.lastId) return;
      this.lastId = line.id;
      this.options.onLine?.(line);
    });
    source.addEventListener("status", (e) => {
      const { status } = JSON.parse(e.data) as { status: PreviewStatus };
      this.options.onStatus?.(status);
      if (isFinalStatus(status)) this.finish("ended");
    });
    source.onerror = () => {
      if (this.stopped) return;
      if (source.readyState === 2) {
        // Closed for good (an expired token gets 401): reopen from the last id with a fresh token.
        source.close();
        this.options.onState?.("reconnecting");
        this.timer = setTimeout(() => void this.start(), this.options.reopenAfterMs ?? 1000);
      } else this.options.onState?.("reconnecting");
    };
  }

  close(): void {
    this.finish("closed");
  }

  private finish(state: ConnectionState): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.source?.close();
    this.options.onState?.(state);
  }
}
