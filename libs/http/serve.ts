import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { isDeno } from "../js-runtime/is-deno.ts";
import { errorBody } from "./error-envelope.ts";

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

/**
 * Deno's server.shutdown() cuts request bodies still being read, so shutdown first waits for the
 * handlers in flight (answering new requests 503 meanwhile), then closes; responses being
 * written, streams included, still finish.
 */
const serveOnDeno = (fetch: FetchHandler, options: ServeOptions): Promise<RunningServer> => {
  const { Deno } = globalThis as unknown as { Deno: DenoServe };
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;
  const handler = async (request: Request, info: { remoteAddr: { hostname: string; port: number } }) => {
    if (closing) {
      return Response.json(
        errorBody("", { code: "shutting_down", message: "The service is shutting down; retry shortly" }),
        { status: 503, headers: { connection: "close", "retry-after": "1" } },
      );
    }
    inFlight++;
    try {
      return await fetch(request, { remoteAddr: info.remoteAddr });
    } finally {
      inFlight--;
      if (closing && inFlight === 0) drained?.();
    }
  };
  let server: DenoServer | undefined;
  const close = async () => {
    closing = true;
    if (inFlight > 0) await new Promise<void>((done) => { drained = done; });
    await server?.shutdown();
  };
  return new Promise((resolve) => {
    // onListen runs inside Deno.serve(), before `server` is assigned.
    server = Deno.serve({ port: options.port, hostname: options.hostname, onListen: (addr) => resolve({ port: addr.port, close }) }, handler);
  });
};

/** Longer than any client's idle keep-alive (undici: 4 s; browsers: up to 60 s). */
export const keepAliveTimeoutMs = 65_000;

/**
 * How long close() lets answers in flight finish before it ends every connection still open: a
 * stream that never ends or an upgraded (WebSocket) socket would otherwise hold it open for good.
 */
const closeGraceMs = 10_000;

const serveOnNode = (fetch: FetchHandler, options: ServeOptions): Promise<RunningServer> =>
  new Promise((resolve, reject) => {
    const listener = getRequestListener(fetch);
    const { intercept } = options;
    const server = createServer(intercept === undefined ? listener : (req, res) => {
      if (!intercept(req, res)) void listener(req, res);
    });
    // An idle keep-alive connection must be closed by the client, never by us: a server that
    // closes first races a client sending its next request on it (`SocketError: other side
    // closed` on a loaded machine). Clients (undici) close at the server's advertised timeout
    // minus a second, and by default after 4 s; headersTimeout must stay above keepAliveTimeout.
    server.keepAliveTimeout = keepAliveTimeoutMs;
    server.headersTimeout = keepAliveTimeoutMs + 1000;
    const sockets = new Set<Socket>();
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    server.listen(options.port, options.hostname, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            // Idle keep-alive sockets would hold close() open (for keepAliveTimeoutMs); in-flight
            // requests still finish, and their connections are closed as soon as they are idle.
            const sweep = setInterval(() => server.closeIdleConnections(), 100);
            const force = setTimeout(() => sockets.forEach((socket) => socket.destroy()), closeGraceMs);
            server.close(() => {
              clearInterval(sweep);
              clearTimeout(force);
              done();
            });
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
