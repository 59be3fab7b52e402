export interface SseEvent {
  readonly event: string;
  readonly id?: string;
  readonly data: string;
}

/** Reads SSE events from a fetch response until `done` says stop (or the stream ends); then cancels. */
export const readEvents = async (res: Response, done: (events: ReadonlyArray<SseEvent>) => boolean): Promise<SseEvent[]> => {
  const events: SseEvent[] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    while (!done(events)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        let id: string | undefined;
        const data: string[] = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("id: ")) id = line.slice(4);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
        }
        if (data.length > 0) events.push({ event, data: data.join("\n"), ...(id === undefined ? {} : { id }) });
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return events;
};
