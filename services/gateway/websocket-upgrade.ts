import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import { Cause, Effect, Exit, type ManagedRuntime, Option } from "effect";
import type { ApiErrorCode } from "../../libs/http/error-codes.ts";
import { errorBody } from "../../libs/http/error-envelope.ts";
import { describeFailure } from "../../libs/http/error-mapping.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import type { Origins } from "../../libs/config/origins.ts";
import { UnknownHost } from "../../libs/http/request-errors.ts";
import { forwardingHeaders, previewProto } from "../../libs/proxy/forwarding.ts";
import { type ProxyUpstream, relayHeaders, relayRoute } from "../../libs/proxy/node-relay.ts";
import { PreviewProxy, rewrittenHeaders, splitPreviewPath } from "./preview-proxy.ts";
import { cookieMayAuthorize, previewTokenHeader, splitPreviewCookie } from "./preview-token.ts";

const refuse = (socket: Socket, status: number, code: ApiErrorCode, message: string) => {
  const body = JSON.stringify(errorBody("", { code, message }));
  socket.end(`HTTP/1.1 ${status} ${code}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
};

/**
 * The upgrade request as the preview should see it: the platform's credentials out (the app's
 * kept), forwarding headers in; to a preview on another node, sent to that node's proxy with the
 * relay's headers (the node passes the rest on as is).
 */
const upstreamHandshake = (req: IncomingMessage, upstream: ProxyUpstream, path: string, proto: string, prefix: string | undefined, cookies: string | undefined): string => {
  const relayed = upstream.kind === "node";
  const lines = [`${req.method ?? "GET"} ${relayed ? relayRoute(upstream.previewInstanceId) : path} HTTP/1.1`];
  if (relayed) {
    const relay = relayHeaders(upstream, path);
    for (let i = 0; i < relay.length; i += 2) lines.push(`${relay[i] ?? ""}: ${relay[i + 1] ?? ""}`);
  }
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? "";
    if (!rewrittenHeaders.has(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1] ?? ""}`);
  }
  if (cookies !== undefined) lines.push(`cookie: ${cookies}`);
  const forwarding = forwardingHeaders({ client: req.socket.remoteAddress, earlierFor: header(req, "x-forwarded-for"), host: header(req, "host") ?? "", proto, prefix });
  for (let i = 0; i < forwarding.length; i += 2) lines.push(`${forwarding[i] ?? ""}: ${forwarding[i + 1] ?? ""}`);
  return lines.join("\r\n") + "\r\n\r\n";
};

/** A socket to the preview's address, or to its node (whose proxy joins it to the preview's). */
const connectTo = (upstream: ProxyUpstream): Socket => {
  if (upstream.kind === "tcp") return connect({ host: upstream.host, port: upstream.port });
  if (upstream.kind === "unix") return connect({ path: upstream.path });
  const node = new URL(upstream.url);
  return connect({ host: node.hostname.replace(/^\[|\]$/g, ""), port: Number(node.port || 80) });
};

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The preview an upgrade is for, by Host (a preview's origin) or by `/p/{id}/` on the platform's; the token it presents there. */
const upgradeTarget = (req: IncomingMessage, origins: Origins):
  | { readonly id: string; readonly path: string; readonly prefix?: string; readonly token: string | undefined; readonly cookies: string | undefined }
  | { readonly refusal: UnknownHost | undefined } => {
  const url = new URL(req.url ?? "/", "http://gateway");
  const host = header(req, "host");
  const cookie = splitPreviewCookie(header(req, "cookie"));
  const headerToken = header(req, previewTokenHeader);
  const onOrigin = origins.previewIdOfHost(host);
  if (onOrigin !== undefined) {
    const token = headerToken ?? (cookieMayAuthorize(header(req, "sec-fetch-site"), header(req, "sec-fetch-mode")) ? cookie.token : undefined);
    return { id: onOrigin, path: url.pathname + url.search, token, cookies: cookie.rest };
  }
  if (!origins.isPlatformHost(host)) return { refusal: new UnknownHost({ host: (host ?? "").slice(0, 200) }) };
  const { id, rest } = splitPreviewPath(url.pathname);
  if (id === "" || rest === undefined) return { refusal: undefined };
  // On the platform's origin only the header authorises, never a cookie.
  return { id, path: rest + url.search, prefix: `/p/${id}`, token: headerToken, cookies: cookie.rest };
};

/**
 * WebSocket upgrades to a preview (its origin, or `/p/{id}/...` with X-Preview-Token): authorised
 * like any proxied request (a browser sends the hand-off cookie with the handshake), then the two
 * sockets are joined byte for byte.
 */
export const makeWebSocketUpgrade = (runtime: ManagedRuntime.ManagedRuntime<PreviewProxy, never>, origins: Origins, logger: Logger) =>
  (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    socket.on("error", () => socket.destroy());
    const target = upgradeTarget(req, origins);
    if ("refusal" in target) {
      if (target.refusal === undefined) return refuse(socket, 404, "not_found", "WebSockets are proxied only to a preview's origin, or under /p/{previewInstanceId}/");
      const e = describeFailure(target.refusal);
      return refuse(socket, e.status, e.code, e.message);
    }
    const { id, token } = target;
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
      const peer = connectTo(upstream);
      peer.once("error", () => refuse(socket, 502, "upstream_unreachable", "The preview did not answer"));
      peer.once("connect", () => {
        peer.removeAllListeners("error");
        peer.on("error", () => socket.destroy());
        socket.on("close", () => peer.destroy());
        peer.on("close", () => socket.destroy());
        peer.write(upstreamHandshake(req, upstream, target.path, previewProto(origins, id, target.prefix), target.prefix, target.cookies));
        if (head.length > 0) peer.write(head);
        socket.pipe(peer).pipe(socket);
      });
    });
  };
