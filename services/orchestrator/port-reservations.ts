import { Effect, Layer } from "effect";
import getPort, { portNumbers } from "get-port";
import { RuntimeUnavailable } from "../../libs/runtime/errors.ts";
import { PortAllocator } from "../../libs/runtime/port-allocator.ts";
import { OrchestratorStore } from "./store/contract.ts";

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/**
 * get-port finds a port nobody listens on; the reservation row (port is the primary key) makes
 * sure no other launch in flight, in this process or another, takes it before uvicorn binds it.
 */
export const PortReservationsLive = (range: PortRange) =>
  Layer.effect(
    PortAllocator,
    Effect.gen(function* () {
      const { ports } = yield* OrchestratorStore;
      const tryReserve = (holder: string) =>
        Effect.gen(function* () {
          const reserved = yield* ports.reserved();
          if (reserved.length > range.to - range.from) return undefined;
          const port = yield* Effect.promise(() => getPort({ port: portNumbers(range.from, range.to), exclude: [...reserved], host: "127.0.0.1" }));
          if (port < range.from || port > range.to) return undefined; // get-port falls back to any port when the range is busy
          return (yield* ports.reserve(port, holder)) ? port : null;
        });
      return PortAllocator.of({
        reserve: (holder) =>
          Effect.gen(function* () {
            for (let attempt = 0; attempt < 50; attempt++) {
              const port = yield* tryReserve(holder);
              if (port === undefined) break;
              if (port !== null) return port;
            }
            return yield* Effect.fail(new RuntimeUnavailable({ message: `No free port in ${range.from}-${range.to}` }));
          }),
        release: (port) => ports.release(port),
      });
    }),
  );
