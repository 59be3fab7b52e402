import type { LogLine } from "../logs/schemas.ts";
import type { PreviewStatus } from "../previews/contract.ts";
import type { ApiError } from "./api-client.ts";
import { defaultEventSource } from "./default-event-source.ts";
import { type EventSourceLike, type LogStreamClient, PreviewLogStream } from "./log-stream.ts";

export type LogEvent =
  | { readonly kind: "line"; readonly line: LogLine }
  | { readonly kind: "status"; readonly status: PreviewStatus };

export interface FollowLogsOptions {
  /** Ends the iteration (quietly: the loop just finishes) and closes the stream. */
  readonly signal?: AbortSignal;
  /** Resume after this line id, e.g. the last `line.id` an earlier iteration gave. */
  readonly after?: number;
  /** Start with only the last N retained lines (ignored with `after`). */
  readonly tail?: number;
  /** Opens the SSE URL; default: the runtime's EventSource, else one over fetch. */
  readonly open?: (url: string) => EventSourceLike;
  /**
   * Events held for a consumer slower than the stream. Past this many the stream is closed and
   * reopened after the last line held once the consumer catches up: nothing is lost, memory stays bounded.
   */
  readonly maxBuffered?: number;
}

/** A refusal the stream cannot recover from (e.g. `preview_not_found`, `unauthorized`), thrown from the iterator. */
export class PreviewApiError extends Error {
  readonly error: ApiError;
  constructor(error: ApiError) {
    super(`${error.code}: ${error.message}`);
    this.name = "PreviewApiError";
    this.error = error;
  }
}

/**
 * A preview's logs as an async iterator: every line once, in order, with the status changes
 * between them; it survives drops and expired tokens (PreviewLogStream), and ends after the
 * preview's final status, on `signal`, or when the loop breaks.
 */
export async function* followLogs(client: LogStreamClient, generationId: string, options: FollowLogsOptions = {}): AsyncGenerator<LogEvent, void, undefined> {
  const maxBuffered = options.maxBuffered ?? 10_000;
  const open = options.open ?? defaultEventSource();
  const queue: LogEvent[] = [];
  let ended = false;
  let failure: ApiError | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let lastQueued = options.after;
  let stream: PreviewLogStream | undefined;
  let paused = false;
  const connect = () => {
    const s = new PreviewLogStream({
      client,
      generationId,
      open,
      ...(lastQueued === undefined ? {} : { after: lastQueued }),
      ...(lastQueued === undefined && options.tail !== undefined ? { tail: options.tail } : {}),
      onLine: (line) => {
        if (s !== stream) return;
        lastQueued = line.id;
        queue.push({ kind: "line", line });
        if (queue.length >= maxBuffered) {
          // Backpressure: stop reading; resume after the last line held once the queue drains.
          paused = true;
          stream = undefined;
          s.close();
        }
        notify();
      },
      onStatus: (status) => {
        if (s !== stream) return;
        queue.push({ kind: "status", status });
        notify();
      },
      onState: (state) => {
        if (s !== stream) return;
        if (state === "ended" || state === "closed") {
          ended = true;
          notify();
        }
      },
      onError: (error) => {
        if (s !== stream) return;
        failure = error;
        notify();
      },
    });
    stream = s;
    void s.start();
  };
  const onAbort = () => {
    ended = true;
    notify();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (options.signal?.aborted) return;
    connect();
    for (;;) {
      if (options.signal?.aborted) return;
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (failure !== undefined) throw new PreviewApiError(failure);
      if (ended) return;
      if (paused) {
        paused = false;
        connect();
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    const s = stream;
    stream = undefined;
    s?.close();
  }
}
