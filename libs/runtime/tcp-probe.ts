import { connect } from "node:net";
import type { Upstream } from "./contract.ts";

/** Whether a connection to the upstream is accepted within `timeoutMs`. */
export const acceptsConnections = (upstream: Upstream, timeoutMs = 1000): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = upstream.kind === "tcp" ? connect({ host: upstream.host, port: upstream.port }) : connect({ path: upstream.path });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
