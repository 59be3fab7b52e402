import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import { Cause, Effect, Exit, type ManagedRuntime, Option } from "effect";
import { describeFailure } from "../../libs/http/error-mapping.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { platformOnlyHeaders, PreviewProxy, splitPreviewPath } from "./preview-proxy.ts";
import { previewTokenHeader, splitPreviewCookie } from "./preview-token.ts";

const refuse = (socket: Socket, status: number, code: string, message: string) => {
  const body = JSON.stringify({ error: { code, message, requestId: "" } });
  socket.end(`HTTP/1.1 ${status} ${code}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
};

/** The upgrade request as the preview should see it: the platform's credentials out, forwarding headers in. */
const upstreamHandshake = (req: IncomingMessage, path: string, prefix: string, cookies: string | undefined): string => {
  const lines = [`${req.method ?? "GET"} ${path} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? "";
    if (!platformOnlyHeaders.has(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1] ?? ""}`);
  }
  if (cookies !== undefined) lines.push(`cookie: ${cookies}`);
  lines.push(`x-forwarded-for: ${req.socket.remoteAddress ?? ""}`, `x-forwarded-host: ${req.headers.host ?? ""}`, "x-forwarded-proto: http", `x-forwarded-prefix: ${prefix}`);
  return lines.join("\r\n") + "\r\n\r\n";
};

/**
 * WebSocket upgrades to `/p/{id}/...`: authorised like any proxied request (a browser sends the
 * hand-off cookie with the handshake), then the two sockets are joined byte for byte.
 */
export const makeWebSocketUpgrade = (runtime: ManagedRuntime.ManagedRuntime<PreviewProxy, never>, logger: Logger) =>
  (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    socket.on("error", () => socket.destroy());
    const url = new URL(req.url ?? "/", "http://gateway");
    const { id, rest } = splitPreviewPath(url.pathname);
    if (id === "" || rest === undefined) return refuse(socket, 404, "not_found", "WebSockets are proxied only under /p/{previewInstanceId}/");
    const cookie = splitPreviewCookie(req.headers.cookie);
    const token = (req.headers[previewTokenHeader] as string | undefined) ?? cookie.token;
    void runtime.runPromiseExit(Effect.gen(function* () {
      const proxy = yield* PreviewProxy;
      const route = yield* proxy.running(id);
      yield* proxy.authorize(route, token);
      proxy.activity.record(id);
      return route.upstream;
    })).then((exit) => {
      if (Exit.isFailure(exit)) {
        const failure = Cause.findErrorOption(exit.cause);
        if (Option.isNone(failure)) {
          logger.error("websocket upgrade failed", { cause: Cause.pretty(exit.cause) });
          return refuse(socket, 500, "internal_error", "Something went wrong on our side");
        }
        const e = describeFailure(failure.value);
        return refuse(socket, e.status, e.code, e.message);
      }
      const upstream = exit.value;
      const target = upstream.kind === "tcp" ? connect({ host: upstream.host, port: upstream.port }) : connect({ path: upstream.path });
      target.once("error", () => refuse(socket, 502, "upstream_unreachable", "The preview did not answer"));
      target.once("connect", () => {
        target.removeAllListeners("error");
        target.on("error", () => socket.destroy());
        socket.on("close", () => target.destroy());
        target.on("close", () => socket.destroy());
        target.write(upstreamHandshake(req, rest + url.search, `/p/${id}`, cookie.rest));
        if (head.length > 0) target.write(head);
        socket.pipe(target).pipe(socket);
      });
    });
  };
