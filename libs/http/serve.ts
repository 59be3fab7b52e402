import type { IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { serve } from "@hono/node-server";

export interface RunningServer {
  readonly port: number;
  /** Stops accepting connections and waits for in-flight requests to finish. */
  readonly close: () => Promise<void>;
}

type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Serves a web-standard fetch handler on Node; port 0 picks a free port. */
export type UpgradeHandler = (request: IncomingMessage, socket: Socket, head: Buffer) => void;

export const serveFetch = (
  fetch: FetchHandler,
  options: { readonly port: number; readonly hostname: string; readonly onUpgrade?: UpgradeHandler },
): Promise<RunningServer> =>
  new Promise((resolve, reject) => {
    const server = serve({ fetch, port: options.port, hostname: options.hostname }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
            if ("closeIdleConnections" in server) server.closeIdleConnections();
          }),
      });
    });
    server.once("error", reject);
    if (options.onUpgrade !== undefined) server.on("upgrade", options.onUpgrade);
  });
