import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Effect, type ManagedRuntime } from "effect";
import { LogFanout } from "../../libs/logs/contract.ts";

/** How long ended streams get to flush their last frames before their sockets are cut. */
const flushGraceMs = 1000;

/**
 * The sockets of open log streams, so a shutdown can end them. Open streams would hold a
 * server's close forever: they are ended first (each client keeps its last id and resumes when
 * the service is back); a client that stopped reading never lets its stream end, so what is
 * still open after a moment is cut.
 */
export const trackOpenStreams = () => {
  const streams = new Set<Socket>();
  return {
    /** The logs app's `onStream`. */
    add: (socket: Socket) => {
      streams.add(socket);
      socket.once("close", () => streams.delete(socket));
    },
    endAll: async (runtime: ManagedRuntime.ManagedRuntime<LogFanout, never>) => {
      await runtime.runPromise(Effect.gen(function* () { yield* (yield* LogFanout).closeAll; }));
      for (let waited = 0; streams.size > 0 && waited < flushGraceMs; waited += 50) await sleep(50);
      for (const socket of streams) socket.destroy();
    },
  };
};
