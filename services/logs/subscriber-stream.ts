import { Effect, Stream } from "effect";
import { type FanoutSubscription, LogFanout, LogStore } from "../../libs/logs/contract.ts";
import { isFinalStatus } from "../../libs/logs/schemas.ts";
import { joinFrames, logFrame, pingFrame, retryFrame, statusFrame } from "../../libs/logs/sse-frames.ts";
import type { PreviewStatus } from "../../libs/previews/contract.ts";

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
  /** The last fan-out sequence number seen; a jump means this subscriber lost messages. */
  lastSeq: number;
  lastStatus: PreviewStatus | null;
  mode: "storage" | "live" | "done";
}

/**
 * One client's SSE body: `retry`, then stored lines after its cursor, then the live channel.
 * It subscribes before reading the store, so nothing falls between the two, and skips ids it
 * already sent, so nothing is sent twice. Whenever it finds it lost live messages (it lagged
 * past its buffer, or ids jump) it goes back to the store from its cursor, page by page.
 */
export const subscriberStream = (o: SubscriberOptions) =>
  Stream.unwrap(Effect.gen(function* () {
    const store = yield* LogStore;
    const fanout = yield* LogFanout;
    const subscription: FanoutSubscription = yield* fanout.subscribe(o.previewId);
    const start = o.lastEventId ?? (o.tail === undefined ? 0 : yield* store.tailStart(o.previewId, o.tail));
    const cursor: Cursor = { lastId: start, lastSeq: subscription.startSeq, lastStatus: null, mode: "storage" };
    let first = true;

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

    const fromLive = Effect.gen(function* () {
      const messages = yield* subscription.take;
      const frames: Uint8Array[] = [];
      for (const m of messages) {
        if (m._tag === "ping") {
          frames.push(pingFrame);
          continue;
        }
        if (m._tag === "close") {
          cursor.mode = "done";
          break;
        }
        const lost = m.seq > cursor.lastSeq + 1;
        cursor.lastSeq = m.seq;
        const event = m.event;
        if (lost || (event._tag === "line" && event.line.id > cursor.lastId + 1)) {
          yield* fanout.noteCatchUp;
          cursor.mode = "storage";
          break;
        }
        if (event._tag === "line") {
          if (event.line.id <= cursor.lastId) continue;
          cursor.lastId = event.line.id;
          frames.push(m.frame);
        } else if (event.status !== cursor.lastStatus) {
          cursor.lastStatus = event.status;
          frames.push(m.frame);
          if (isFinalStatus(event.status)) {
            cursor.mode = "done";
            break;
          }
        }
      }
      return frames;
    });

    const next: Effect.Effect<readonly [Uint8Array, Cursor] | undefined> = Effect.gen(function* () {
      const frames: Uint8Array[] = first ? [retryFrame(o.retryMs)] : [];
      first = false;
      while (frames.length === 0) {
        if (cursor.mode === "done") return undefined;
        frames.push(...(cursor.mode === "storage" ? yield* fromStorage : yield* fromLive));
      }
      return [joinFrames(frames), cursor] as const;
    });

    return Stream.unfold(cursor, () => next);
  }));
