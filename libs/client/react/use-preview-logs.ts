// A React hook over PreviewLogStream, for a host app's frontend. React is an optional peer
// dependency of this package: only apps that import this file need it.
import { useEffect, useRef, useState } from "react";
import type { LogLine } from "../../logs/schemas.ts";
import type { PreviewStatus } from "../../previews/contract.ts";
import type { ApiError, PreviewClient } from "../api-client.ts";
import { defaultEventSource } from "../default-event-source.ts";
import { type ConnectionState, type EventSourceLike, PreviewLogStream } from "../log-stream.ts";

export interface UsePreviewLogsOptions {
  /** Keep it stable (create it once, or memoise it): a new client reopens the stream. */
  readonly client: PreviewClient;
  /** Opens the SSE URL. Default: the runtime's EventSource, else a fetch-based one (default-event-source.ts). */
  readonly open?: (url: string) => EventSourceLike;
  /** Start with only the last N retained lines. */
  readonly tail?: number;
  /** Oldest lines are dropped past this many (default 50,000). */
  readonly maxLines?: number;
}

export interface PreviewLogs {
  readonly lines: ReadonlyArray<LogLine>;
  readonly connection: ConnectionState;
  /** The preview's status as the stream reports it; undefined until the first status event. */
  readonly status: PreviewStatus | undefined;
  readonly error: ApiError | undefined;
}


/**
 * Follows a generation's preview logs: every line once and in order (resumes after the last
 * id on a drop), the connection state, and the status; ends on the preview's final status.
 * `generationId` undefined: nothing is opened.
 */
export const usePreviewLogs = (generationId: string | undefined, options: UsePreviewLogsOptions): PreviewLogs => {
  const { client, tail } = options;
  const maxLines = options.maxLines ?? 50_000;
  const [lines, setLines] = useState<ReadonlyArray<LogLine>>([]);
  const [connection, setConnection] = useState<ConnectionState>("closed");
  const [status, setStatus] = useState<PreviewStatus | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  // Read when the stream opens; changing it does not reopen the stream.
  const openRef = useRef(options.open);
  openRef.current = options.open;

  useEffect(() => {
    setLines([]);
    setStatus(undefined);
    setError(undefined);
    if (generationId === undefined) {
      setConnection("closed");
      return;
    }
    const open = openRef.current ?? defaultEventSource();
    // Lines arrive in bursts (a history replay): one state update per tick, not per line.
    let pending: LogLine[] = [];
    let flush: ReturnType<typeof setTimeout> | undefined;
    const stream = new PreviewLogStream({
      client,
      generationId,
      open,
      ...(tail === undefined ? {} : { tail }),
      onLine: (line) => {
        pending.push(line);
        flush ??= setTimeout(() => {
          flush = undefined;
          const batch = pending;
          pending = [];
          setLines((previous) => {
            const next = previous.concat(batch);
            return next.length > maxLines ? next.slice(next.length - maxLines) : next;
          });
        }, 0);
      },
      onStatus: setStatus,
      onState: setConnection,
      onError: setError,
    });
    void stream.start();
    return () => {
      if (flush !== undefined) clearTimeout(flush);
      stream.close();
    };
  }, [generationId, client, tail, maxLines]);

  return { lines, connection, status, error };
};
