import { Duration, Effect, Layer, Schedule } from "effect";
import { type FanoutBatch, type FanoutMessage, LogFanout, type StoredEvent } from "../../libs/logs/contract.ts";
import { joinFrames, logFrame, pingFrame, statusFrame } from "../../libs/logs/sse-frames.ts";

export interface FanoutOptions {
  /** Messages a subscriber may lag behind before it falls back to the store. */
  readonly subscriberBuffer: number;
  readonly pingIntervalMs: number;
  /**
   * Wake-up pacing: after a wake-up whose writes took `t` ms, the channel's next one waits until
   * `pacing × t` ms after it began (at most `maxPacingMs`), so lines that come faster than the
   * subscribers can be written to go out together, in fewer writes. 0 wakes on every publish.
   */
  readonly pacing?: number;
}

/** The most a line waits for its channel's pacing. */
const maxPacingMs = 25;

interface Subscriber {
  /** Position of the next message this subscriber will take. */
  position: number;
  sawClose: boolean;
  wake: (() => void) | undefined;
}

const ping: FanoutMessage = { _tag: "ping" };
const close: FanoutMessage = { _tag: "close" };
const empty: ReadonlyArray<FanoutMessage> = [];
const noBytes = new Uint8Array(0);
const emptyBatch: FanoutBatch = { lost: false, messages: empty, joined: () => noBytes };

const frameOf = (previewId: string, event: StoredEvent) =>
  event._tag === "line" ? logFrame(event.line) : statusFrame(event.status, previewId);

const framesOf = (messages: ReadonlyArray<FanoutMessage>): Uint8Array[] => {
  const frames: Uint8Array[] = [];
  for (const m of messages) {
    if (m._tag === "event") frames.push(m.frame);
    else if (m._tag === "ping") frames.push(pingFrame);
  }
  return frames;
};

/**
 * One watched preview: a ring of its last `capacity` messages, shared by all its subscribers
 * (memory is bounded per preview, not per client), each of which only keeps a position in it.
 */
class Channel {
  private readonly ring: Array<FanoutMessage | undefined>;
  private readonly capacity: number;
  /** Messages ever published here; the next one goes to position `end`. */
  private end = 0;
  private wakeScheduled = false;
  private readonly pacing: number;
  /** Performance time before which the next wake-up waits (pacing). */
  private nextWakeAt = 0;
  /** The last batch handed out: subscribers that poll the same range share it and its joined frames. */
  private last: { readonly from: number; readonly to: number; readonly batch: FanoutBatch } | undefined;
  /** The fan-out's own shutdown flag, so a channel opened during shutdown closes too. */
  private readonly closed: () => boolean;
  readonly subscribers = new Set<Subscriber>();

  constructor(capacity: number, pacing: number, closed: () => boolean) {
    this.capacity = Math.max(1, capacity);
    this.pacing = pacing;
    this.closed = closed;
    this.ring = new Array<FanoutMessage | undefined>(this.capacity);
  }

  join(): Subscriber {
    const subscriber: Subscriber = { position: this.end, sawClose: false, wake: undefined };
    this.subscribers.add(subscriber);
    return subscriber;
  }

  publish(messages: ReadonlyArray<FanoutMessage>): void {
    for (const m of messages) {
      this.ring[this.end % this.capacity] = m;
      this.end += 1;
    }
    this.wakeAll();
  }

  /**
   * Wakes every subscriber once, after the publishing code has run (several publishes before the
   * wake-up wake once), and no sooner than the pacing allows.
   */
  wakeAll(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    const wait = this.nextWakeAt - performance.now();
    if (wait > 0) setTimeout(this.wake, wait);
    else queueMicrotask(this.wake);
  }

  private readonly wake = (): void => {
    this.wakeScheduled = false;
    const began = performance.now();
    for (const s of this.subscribers) {
      try {
        s.wake?.();
      } catch {
        // A subscriber's failure is its own: it never stops the others being woken.
      }
    }
    if (this.pacing <= 0) return;
    // The writes leave on the next tick: measured once they have, the cost sets the next wake-up.
    setImmediate(() => {
      this.nextWakeAt = began + Math.min(maxPacingMs, (performance.now() - began) * this.pacing);
    });
  };

  poll(s: Subscriber): FanoutBatch {
    const oldest = Math.max(0, this.end - this.capacity);
    const lost = s.position < oldest;
    const from = lost ? oldest : s.position;
    const to = this.end;
    s.position = to;
    const closing = this.closed() && !s.sawClose;
    if (closing) s.sawClose = true;
    if (from === to && !lost && !closing) return emptyBatch;
    const cached = this.last;
    if (!lost && !closing && cached !== undefined && cached.from === from && cached.to === to) return cached.batch;
    const messages: FanoutMessage[] = [];
    for (let i = from; i < to; i++) messages.push(this.ring[i % this.capacity] as FanoutMessage);
    if (closing) messages.push(close);
    let joined: Uint8Array | undefined;
    const batch: FanoutBatch = { lost, messages, joined: () => (joined ??= joinFrames(framesOf(messages))) };
    if (!lost && !closing) this.last = { from, to, batch };
    return batch;
  }
}

/**
 * In-process fan-out: one bounded ring per watched preview, frames encoded once per line, and
 * for each publish one synchronous wake-up per subscriber, which takes everything it has not seen
 * yet in one poll. A subscriber that lags more than the ring (its client stopped reading) only
 * loses its own oldest messages, sees `lost`, and catches up from the store.
 */
export const LogFanoutLive = (options: FanoutOptions) =>
  Layer.effect(LogFanout, Effect.gen(function* () {
    const channels = new Map<string, Channel>();
    let closing = false;
    let catchUps = 0;

    yield* Effect.forkScoped(Effect.sync(() => {
      for (const channel of channels.values()) channel.publish([ping]);
    }).pipe(Effect.repeat(Schedule.spaced(Duration.millis(options.pingIntervalMs)))));

    return LogFanout.of({
      publish: ({ previewId, events }) => Effect.sync(() => {
        const channel = channels.get(previewId);
        if (channel === undefined) return;
        channel.publish(events.map((event): FanoutMessage => ({ _tag: "event", event, frame: frameOf(previewId, event) })));
      }),
      subscribe: (previewId) => Effect.gen(function* () {
        let channel = channels.get(previewId);
        if (channel === undefined) {
          channel = new Channel(options.subscriberBuffer, options.pacing ?? 0, () => closing);
          channels.set(previewId, channel);
        }
        const joined = channel;
        const subscriber = joined.join();
        yield* Effect.addFinalizer(() => Effect.sync(() => {
          joined.subscribers.delete(subscriber);
          if (joined.subscribers.size === 0 && channels.get(previewId) === joined) channels.delete(previewId);
        }));
        return {
          poll: () => joined.poll(subscriber),
          onMessages: (wake) => void (subscriber.wake = wake),
        };
      }),
      noteCatchUp: Effect.sync(() => void (catchUps += 1)),
      watched: Effect.sync(() => [...channels.keys()]),
      stats: Effect.sync(() => ({
        previews: channels.size,
        subscribers: [...channels.values()].reduce((n, c) => n + c.subscribers.size, 0),
        catchUps,
      })),
      closeAll: Effect.sync(() => {
        closing = true;
        for (const channel of channels.values()) channel.wakeAll();
      }),
    });
  }));
