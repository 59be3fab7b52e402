import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import { Exit, type ManagedRuntime } from "effect";
import type { ApiErrorCode } from "../../libs/http/error-codes.ts";
import { errorBody } from "../../libs/http/error-envelope.ts";
import { describeFailure } from "../../libs/http/error-mapping.ts";
import { PreviewUnavailable, UpstreamUnreachable } from "../../libs/proxy/errors.ts";
import { internalTokenHeader, relayPathHeader } from "../../libs/proxy/node-relay.ts";
import { NodeProxy } from "./node-proxy.ts";

const route = /^\/internal\/previews\/([^/?]+)\/proxy$/;

const refuse = (socket: Socket, status: number, code: ApiErrorCode, message: string) => {
  const body = JSON.stringify(errorBody("", { code, message }));
  socket.end(`HTTP/1.1 ${status} ${code}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
};

/**
 * WebSocket upgrades a gateway on another machine relays to one of this node's previews: with the
 * internal token, the handshake goes on to the preview's address here as the gateway wrote it
 * (the relay's own headers out, its path from the relay header), then the sockets are joined.
 * Without the token, or for anything else, the answer is a 404, as on every internal route.
 */
export const nodeProxyUpgrade = (runtime: ManagedRuntime.ManagedRuntime<NodeProxy, never>, internalToken: string) => {
  const expected = Buffer.from(internalToken);
  return (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    socket.on("error", () => socket.destroy());
    const match = route.exec(req.url ?? "");
    const token = req.headers[internalTokenHeader];
    const path = req.headers[relayPathHeader];
    const given = Buffer.from(typeof token === "string" ? token : "");
    if (match === null || given.length !== expected.length || !timingSafeEqual(given, expected) || typeof path !== "string" || !path.startsWith("/")) {
      return refuse(socket, 404, "not_found", "No such route");
    }
    let id: string;
    try {
      id = decodeURIComponent(match[1] ?? "");
    } catch {
      return refuse(socket, 404, "not_found", "No such route");
    }
    void runtime.runPromiseExit(NodeProxy.use((proxy) => proxy.local(id))).then((exit) => {
      if (Exit.isFailure(exit)) {
        const e = describeFailure(new PreviewUnavailable({ previewInstanceId: id }));
        return refuse(socket, e.status, e.code, e.message);
      }
      const upstream = exit.value;
      const peer = upstream.kind === "tcp" ? connect({ host: upstream.host, port: upstream.port }) : connect({ path: upstream.path });
      peer.once("error", (cause) => {
        const e = describeFailure(new UpstreamUnreachable({ reason: cause.message }));
        refuse(socket, e.status, e.code, e.message);
      });
      peer.once("connect", () => {
        peer.removeAllListeners("error");
        peer.on("error", () => socket.destroy());
        socket.on("close", () => peer.destroy());
        peer.on("close", () => socket.destroy());
        const lines = [`${req.method ?? "GET"} ${path} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const name = (req.rawHeaders[i] ?? "").toLowerCase();
          if (name !== internalTokenHeader && name !== relayPathHeader) lines.push(`${req.rawHeaders[i] ?? ""}: ${req.rawHeaders[i + 1] ?? ""}`);
        }
        peer.write(lines.join("\r\n") + "\r\n\r\n");
        if (head.length > 0) peer.write(head);
        socket.pipe(peer).pipe(socket);
      });
    });
  };
};
