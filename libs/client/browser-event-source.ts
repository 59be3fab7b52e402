import type { EventSourceLike, MessageLike } from "./log-stream.ts";

/** What is used of a browser's EventSource, typed structurally (libs/ are compiled without DOM types). */
export interface NativeEventSource {
  readonly readyState: number;
  onerror: ((event: never) => unknown) | null;
  onopen: ((event: never) => unknown) | null;
  addEventListener(type: string, listener: (event: MessageLike) => unknown): void;
  close(): void;
}

export type NativeEventSourceConstructor = new (url: string) => NativeEventSource;

/**
 * Adapts the browser's EventSource to PreviewLogStream's `open`:
 * `new PreviewLogStream({ ..., open: browserEventSource(EventSource) })`.
 * Drops and reconnects stay the browser's (Last-Event-ID included).
 */
export const browserEventSource = (Native: NativeEventSourceConstructor) => (url: string): EventSourceLike => {
  const native = new Native(url);
  const source: EventSourceLike = {
    get readyState() {
      return native.readyState;
    },
    onerror: null,
    onopen: null,
    addEventListener: (type, listener) => native.addEventListener(type, (event: MessageLike) => listener(event)),
    close: () => native.close(),
  };
  native.onerror = (event: unknown) => source.onerror?.(event);
  native.onopen = (event: unknown) => source.onopen?.(event);
  return source;
};
