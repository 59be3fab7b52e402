import { Duration, Effect, Layer, PubSub, Schedule } from "effect";
import { type FanoutMessage, LogFanout, type StoredEvent } from "../../libs/logs/contract.ts";
import { logFrame, statusFrame } from "../../libs/logs/sse-frames.ts";

export interface FanoutOptions {
  /** Messages a subscriber may lag behind before it falls back to the store. */
  readonly subscriberBuffer: number;
  readonly pingIntervalMs: number;
}

interface Channel {
  readonly pubsub: PubSub.PubSub<FanoutMessage>;
  seq: number;
  subscribers: number;
}

const ping: FanoutMessage = { _tag: "ping" };
const close: FanoutMessage = { _tag: "close" };

const frameOf = (previewId: string, event: StoredEvent) =>
  event._tag === "line" ? logFrame(event.line) : statusFrame(event.status, previewId);

/**
 * In-process fan-out: a sliding PubSub per watched preview. Its window is shared by all of the
 * preview's subscribers (memory is bounded per preview, not per client), frames are encoded once
 * per line, and a subscriber that lags more than the window only loses its own oldest messages.
 */
export const LogFanoutLive = (options: FanoutOptions) =>
  Layer.effect(LogFanout, Effect.gen(function* () {
    const channels = new Map<string, Channel>();
    let closing = false;
    let catchUps = 0;

    const release = (previewId: string, channel: Channel) => Effect.gen(function* () {
      channel.subscribers -= 1;
      if (channel.subscribers === 0 && channels.get(previewId) === channel) {
        channels.delete(previewId);
        yield* PubSub.shutdown(channel.pubsub);
      }
    });

    yield* Effect.forkScoped(Effect.gen(function* () {
      for (const channel of channels.values()) yield* PubSub.publish(channel.pubsub, ping);
    }).pipe(Effect.repeat(Schedule.spaced(Duration.millis(options.pingIntervalMs)))));

    return LogFanout.of({
      publish: ({ previewId, events }) => Effect.gen(function* () {
        const channel = channels.get(previewId);
        if (channel === undefined) return;
        const messages = events.map((event): FanoutMessage => {
          channel.seq += 1;
          return { _tag: "event", seq: channel.seq, event, frame: frameOf(previewId, event) };
        });
        yield* PubSub.publishAll(channel.pubsub, messages);
      }),
      subscribe: (previewId) => Effect.gen(function* () {
        let channel = channels.get(previewId);
        if (channel === undefined) {
          const pubsub = yield* PubSub.sliding<FanoutMessage>(options.subscriberBuffer);
          // Another subscriber may have created the channel while this one was being made.
          channel = channels.get(previewId) ?? { pubsub, seq: 0, subscribers: 0 };
          channels.set(previewId, channel);
          if (channel.pubsub !== pubsub) yield* PubSub.shutdown(pubsub);
          else if (closing) yield* PubSub.end(pubsub, close);
        }
        const joined = channel;
        joined.subscribers += 1;
        yield* Effect.addFinalizer(() => release(previewId, joined));
        const subscription = yield* PubSub.subscribe(joined.pubsub);
        return { take: PubSub.takeAll(subscription), startSeq: joined.seq };
      }),
      noteCatchUp: Effect.sync(() => void (catchUps += 1)),
      watched: Effect.sync(() => [...channels.keys()]),
      stats: Effect.sync(() => ({
        previews: channels.size,
        subscribers: [...channels.values()].reduce((n, c) => n + c.subscribers, 0),
        catchUps,
      })),
      closeAll: Effect.gen(function* () {
        closing = true;
        for (const channel of channels.values()) yield* PubSub.end(channel.pubsub, close);
      }),
    });
  }));
