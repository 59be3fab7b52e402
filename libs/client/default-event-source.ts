import { browserEventSource, type NativeEventSourceConstructor } from "./browser-event-source.ts";
import { openFetchEventSource } from "./fetch-event-source.ts";
import type { EventSourceLike } from "./log-stream.ts";

/**
 * How a stream is opened when the caller says nothing: the runtime's own EventSource where there
 * is one (browsers, Deno), else the fetch-based one (Node, workers): no wiring on any of them.
 */
export const defaultEventSource = (): ((url: string) => EventSourceLike) => {
  const Native = (globalThis as { EventSource?: NativeEventSourceConstructor }).EventSource;
  return Native === undefined ? (url) => openFetchEventSource(url) : browserEventSource(Native);
};
