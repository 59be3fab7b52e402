import type { EventSourceLike, MessageLike } from "./log-stream.ts";

/**
 * An EventSource over fetch, for places without one (Node 20, the CLI). Same contract as the
 * browser's: reconnects after `retry` with Last-Event-ID when the stream drops, and closes for
 * good (readyState 2) when the server answers anything but 200 text/event-stream.
 */
export const openFetchEventSource = (url: string, init: { readonly fetch?: typeof fetch } = {}): EventSourceLike => {
  const listeners = new Map<string, Array<(e: MessageLike) => void>>();
  const controller = new AbortController();
  let retryMs = 2000;
  let lastEventId = "";
  const source: EventSourceLike & { readyState: number } = {
    readyState: 0,
    onerror: null,
    onopen: null,
    addEventListener: (type, listener) => listeners.set(type, [...(listeners.get(type) ?? []), listener]),
    close: () => {
      source.readyState = 2;
      controller.abort();
    },
  };
  const dispatch = (type: string, data: string) => {
    for (const l of listeners.get(type) ?? []) l({ data, lastEventId });
  };
  const connect = async (): Promise<void> => {
    try {
      const res = await (init.fetch ?? fetch)(url, {
        headers: { accept: "text/event-stream", ...(lastEventId === "" ? {} : { "last-event-id": lastEventId }) },
        signal: controller.signal,
      });
      if (res.status !== 200 || !(res.headers.get("content-type") ?? "").includes("text/event-stream") || res.body === null) {
        await res.body?.cancel();
        source.readyState = 2;
        source.onerror?.({ status: res.status });
        return;
      }
      source.readyState = 1;
      source.onopen?.({});
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + (buffer[end] === "\r" ? 4 : 2));
          let event = "message";
          const data: string[] = [];
          for (const line of frame.split(/\r?\n/)) {
            if (line.startsWith(":")) continue;
            const colon = line.indexOf(":");
            const field = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (field === "event") event = value;
            else if (field === "data") data.push(value);
            else if (field === "id") lastEventId = value;
            else if (field === "retry" && /^\d+$/.test(value)) retryMs = Number(value);
          }
          if (data.length > 0) dispatch(event, data.join("\n"));
        }
      }
    } catch {
      if (source.readyState === 2) return;
    }
    if (source.readyState === 2) return;
    source.readyState = 0;
    source.onerror?.({});
    setTimeout(() => void connect(), retryMs);
  };
  void connect();
  return source;
};
