import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { isDeno } from "../js-runtime/is-deno.ts";

export interface RunningServer {
  readonly port: number;
  /** Stops accepting connections and waits for in-flight requests to finish. */
  readonly close: () => Promise<void>;
}

/** `env` becomes Hono's `c.env`: Node's `{ incoming, outgoing }`, or Deno's `{ remoteAddr }`. */
type FetchHandler = (request: Request, env?: unknown) => Response | Promise<Response>;

/** WebSocket upgrades arrive beside the fetch handler on Node. */
export type UpgradeHandler = (request: IncomingMessage, socket: Socket, head: Buffer) => void;

/** A Node-only fast path that may answer a request before the fetch handler (true: answered). */
export type NodeInterceptor = (request: IncomingMessage, response: ServerResponse) => boolean;

export interface ServeOptions {
  readonly port: number;
  readonly hostname: string;
  readonly onUpgrade?: UpgradeHandler;
  readonly intercept?: NodeInterceptor;
}

interface DenoServer {
  shutdown(): Promise<void>;
}
interface DenoServe {
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void },
    handler: (request: Request, info: { remoteAddr: { hostname: string; port: number } }) => Response | Promise<Response>,
  ): DenoServer;
}

const serveOnDeno = (fetch: FetchHandler, options: ServeOptions): Promise<RunningServer> => {
  const { Deno } = globalThis as unknown as { Deno: DenoServe };
  return new Promise((resolve) => {
    const server: DenoServer = Deno.serve(
      // onListen runs inside Deno.serve(), before `server` is assigned: only the close is deferred.
      { port: options.port, hostname: options.hostname, onListen: (addr) => resolve({ port: addr.port, close: () => server.shutdown() }) },
      (request, info) => fetch(request, { remoteAddr: info.remoteAddr }),
    );
  });
};

const serveOnNode = (fetch: FetchHandler, options: ServeOptions): Promise<RunningServer> =>
  new Promise((resolve, reject) => {
    const listener = getRequestListener(fetch);
    const { intercept } = options;
    const server = createServer(intercept === undefined ? listener : (req, res) => {
      if (!intercept(req, res)) void listener(req, res);
    });
    server.listen(options.port, options.hostname, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
            server.closeIdleConnections();
          }),
      });
    });
    server.once("error", reject);
    if (options.onUpgrade !== undefined) server.on("upgrade", options.onUpgrade);
  });

/** Serves a web-standard fetch handler with the runtime's own server; port 0 picks a free port. */
export const serveFetch = (fetch: FetchHandler, options: ServeOptions): Promise<RunningServer> =>
  isDeno ? serveOnDeno(fetch, options) : serveOnNode(fetch, options);
