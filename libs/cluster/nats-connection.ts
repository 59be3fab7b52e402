import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Config, Effect, Option } from "effect";

/** NATS_URL: the cluster's message bus; unset, everything stays in process (the embedded default). */
export const natsUrl = Config.String("NATS_URL").pipe(Config.option, Config.map(Option.filter((url) => url !== "")));

/**
 * A connection that outlives a restart of the server: it reconnects for ever (every 250 ms) and
 * buffers what is published meanwhile (the client's reconnect buffer), so a NATS restart costs
 * delay, not messages. Drained with the scope (what was published is flushed first).
 */
export const openNats = (url: string, name: string) =>
  Effect.acquireRelease(
    Effect.promise(() => connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 250, waitOnFirstConnect: true })),
    (nc: NatsConnection) => Effect.promise(() => nc.drain().catch(() => nc.close())),
  );
