import type { ServerResponse } from "node:http";

/** Where one subscriber's SSE bytes go: a thin writer with the Node stream's backpressure contract. */
export interface SseSink {
  /** Writes a chunk; false when the client is not keeping up: write no more until `onDrain`. */
  readonly write: (chunk: Uint8Array) => boolean;
  /** `f` runs once, the next time the client has room again. */
  readonly onDrain: (f: () => void) => void;
  readonly end: () => void;
  /** Cuts the stream (after a failure). */
  readonly destroy: () => void;
  /** `f` runs once, when the stream is over for whatever reason (ended, cut, client gone). */
  readonly onClose: (f: () => void) => void;
}

/** The Node response itself: one `write` per chunk, no web-stream layers in between. */
export const nodeSink = (res: ServerResponse): SseSink => ({
  write: (chunk) => !res.destroyed && res.write(chunk),
  onDrain: (f) => void res.once("drain", f),
  end: () => void res.end(),
  destroy: () => void res.destroy(),
  onClose: (f) => {
    if (res.closed) queueMicrotask(f);
    else res.once("close", f);
  },
});

/** Bytes a web-stream sink buffers before it reports backpressure. */
const webHighWaterMark = 64 * 1024;

/** For a server without a Node response (another runtime, `app.request`): a ReadableStream body. */
export const webSink = (): { readonly body: ReadableStream<Uint8Array>; readonly sink: SseSink } => {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let drain: (() => void) | undefined;
  let closed: (() => void) | undefined;
  let over = false;
  const finish = () => {
    if (over) return;
    over = true;
    const f = closed;
    closed = undefined;
    f?.();
  };
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    pull: () => {
      const f = drain;
      drain = undefined;
      f?.();
    },
    cancel: finish,
  }, { highWaterMark: webHighWaterMark, size: (chunk) => chunk.byteLength });
  const sink: SseSink = {
    write: (chunk) => {
      if (over || controller === undefined) return false;
      controller.enqueue(chunk);
      return (controller.desiredSize ?? 0) > 0;
    },
    onDrain: (f) => void (drain = f),
    end: () => {
      if (!over) controller?.close();
      finish();
    },
    destroy: () => {
      if (!over) controller?.error(new Error("log stream failed"));
      finish();
    },
    onClose: (f) => {
      if (over) queueMicrotask(f);
      else closed = f;
    },
  };
  return { body, sink };
};
