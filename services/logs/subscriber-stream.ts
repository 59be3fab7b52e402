import { Effect, Exit, Scope } from "effect";
import { type FanoutBatch, LogFanout, LogStore } from "../../libs/logs/contract.ts";
import { isFinalStatus } from "../../libs/logs/schemas.ts";
import { joinFrames, logFrame, pingFrame, retryFrame, statusFrame } from "../../libs/logs/sse-frames.ts";
import type { PreviewStatus } from "../../libs/previews/contract.ts";
import type { SseSink } from "./sse-sink.ts";

export interface SubscriberOptions {
  readonly previewId: string;
  /** Resume after this id (Last-Event-ID); otherwise the retained history is replayed. */
  readonly lastEventId?: number;
  /** Without a last id: replay only the last N lines. */
  readonly tail?: number;
  readonly retryMs: number;
  /** Lines read from the store per chunk while replaying or catching up. */
  readonly pageSize: number;
  /**
   * The orchestrator's word that the preview has ended when the store has not heard it (e.g. the
   * orchestrator restarted and reconciled it): the stream ends with it once storage is caught up.
   */
  readonly endedAs?: PreviewStatus;
}

interface Cursor {
  /** The last line id sent. */
  lastId: number;
  lastStatus: PreviewStatus | null;
  mode: "storage" | "live" | "done";
}

export interface Subscriber {
  /** Starts writing to `sink`; the subscription is released when the sink closes. Call once. */
  readonly start: (sink: SseSink) => void;
}

/**
 * One client's SSE stream: `retry`, then stored lines after its cursor, then the live channel.
 * It subscribes before reading the store, so nothing falls between the two, and skips ids it
 * already sent, so nothing is sent twice. Whenever it finds it lost live messages (it lagged
 * past the channel's window, or ids jump) it goes back to the store from its cursor, page by page.
 *
 * The live path is plain code, not an Effect per line: a wake-up polls everything waiting and
 * writes it in one chunk (the channel's shared chunk when nothing is skipped). While the client
 * does not drain what was written, nothing more is taken or written for it: the channel's
 * bounded window moves on without it, and it catches up from the store once it reads again.
 */
export const openSubscriber = (o: SubscriberOptions): Effect.Effect<Subscriber, never, LogStore | LogFanout> =>
  Effect.gen(function* () {
    const store = yield* LogStore;
    const fanout = yield* LogFanout;
    const scope = yield* Scope.make();
    const opened = yield* Effect.gen(function* () {
      const subscription = yield* fanout.subscribe(o.previewId);
      const start = o.lastEventId ?? (o.tail === undefined ? 0 : yield* store.tailStart(o.previewId, o.tail));
      return { subscription, start };
    }).pipe(Scope.provide(scope), Effect.onError(() => Scope.close(scope, Exit.void)));
    const { subscription } = opened;
    const cursor: Cursor = { lastId: opened.start, lastStatus: null, mode: "storage" };

    const fromStorage = Effect.gen(function* () {
      const lines = yield* store.page(o.previewId, { after: cursor.lastId, limit: o.pageSize });
      const frames = lines.map(logFrame);
      const last = lines.at(-1);
      if (last !== undefined) cursor.lastId = last.id;
      if (lines.length === o.pageSize) return frames;
      // Caught up: the status the store holds now is the one to show.
      const state = yield* store.state(o.previewId);
      const status = o.endedAs !== undefined && (state.status === null || !isFinalStatus(state.status)) ? o.endedAs : state.status;
      if (status !== null && status !== cursor.lastStatus) {
        frames.push(statusFrame(status, o.previewId));
        cursor.lastStatus = status;
      }
      cursor.mode = status !== null && isFinalStatus(status) ? "done" : "live";
      return frames;
    });

    const caughtUpFromStore = () => {
      Effect.runSync(fanout.noteCatchUp);
      cursor.mode = "storage";
    };

    /** What of a live batch goes to this client: the whole batch's shared chunk, or its own selection. */
    const fromLive = (batch: FanoutBatch): Uint8Array | undefined => {
      if (batch.lost) {
        caughtUpFromStore();
        return undefined;
      }
      const frames: Uint8Array[] = [];
      let all = true;
      for (const m of batch.messages) {
        if (m._tag === "ping") {
          frames.push(pingFrame);
          continue;
        }
        if (m._tag === "close") {
          cursor.mode = "done";
          all = false;
          break;
        }
        const event = m.event;
        if (event._tag === "line") {
          if (event.line.id <= cursor.lastId) {
            all = false;
            continue;
          }
          if (event.line.id > cursor.lastId + 1) {
            caughtUpFromStore();
            all = false;
            break;
          }
          cursor.lastId = event.line.id;
          frames.push(m.frame);
        } else if (event.status !== cursor.lastStatus) {
          cursor.lastStatus = event.status;
          frames.push(m.frame);
          if (isFinalStatus(event.status)) {
            cursor.mode = "done";
            if (m !== batch.messages.at(-1)) all = false;
            break;
          }
        } else {
          all = false;
        }
      }
      if (frames.length === 0) return undefined;
      return all ? batch.joined() : joinFrames(frames);
    };

    const start = (sink: SseSink) => {
      let storageReading = false;
      let blocked = false;
      let over = false;

      const write = (chunk: Uint8Array | undefined) => {
        if (chunk === undefined || chunk.byteLength === 0 || sink.write(chunk)) return;
        blocked = true;
        sink.onDrain(() => {
          blocked = false;
          pump();
        });
      };

      const pump = (): void => {
        while (!over && !storageReading && !blocked) {
          if (cursor.mode === "done") {
            over = true;
            sink.end();
            return;
          }
          if (cursor.mode === "storage") {
            storageReading = true;
            Effect.runPromise(fromStorage).then((frames) => {
              storageReading = false;
              if (over) return;
              write(frames.length === 0 ? undefined : joinFrames(frames));
              pump();
            }, () => {
              over = true;
              sink.destroy();
            });
            return;
          }
          const batch = subscription.poll();
          if (batch.messages.length === 0 && !batch.lost) return;
          write(fromLive(batch));
        }
      };

      sink.onClose(() => {
        over = true;
        Effect.runFork(Scope.close(scope, Exit.void));
      });
      subscription.onMessages(pump);
      write(retryFrame(o.retryMs));
      pump();
    };
    return { start };
  });
