import { previewTokenCookie } from "./preview-token.ts";

/** What the Node fast path needs from a request's headers. */
export interface FastRequestHeaders {
  /** End-to-end headers for the preview: no hop-by-hop header, no platform credential, cookies minus the preview token. */
  readonly forward: string[];
  /** From X-Preview-Token, else the hand-off cookie. */
  readonly token: string | undefined;
  readonly requestId: string | undefined;
  readonly host: string | undefined;
  readonly forwardedFor: string | undefined;
  readonly contentLength: string | undefined;
  /** A body follows (RFC 9112 §6.3): a length or a transfer coding says so. */
  readonly hasBody: boolean;
}

// RFC 9110 §7.6.1, plus what the platform keeps to itself (see preview-proxy.ts). `expect` is
// answered by node:http itself (100 Continue) and undici refuses to send it.
const dropped = new Set([
  "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect",
  "proxy-authenticate", "proxy-authorization", "authorization", "x-preview-token", "cookie",
  "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix",
]);
/** Connection values that name no other header: the only ones the fast path handles itself. */
const plainConnection = new Set(["keep-alive", "close"]);

const tokenInCookie = (cookie: string): string | undefined => {
  for (const part of cookie.split(";")) {
    const p = part.trim();
    if (p.startsWith(`${previewTokenCookie}=`)) return p.slice(previewTokenCookie.length + 1);
  }
  return undefined;
};

const withoutToken = (cookies: ReadonlyArray<string>): string =>
  cookies.join("; ").split(";").map((p) => p.trim()).filter((p) => p !== "" && !p.startsWith(`${previewTokenCookie}=`)).join("; ");

/**
 * Reads `rawHeaders` once (node:http builds `req.headers` lazily; the fast path never asks for
 * it). Undefined when the request is one to leave to the full handler: an upgrade, a repeated
 * single-valued header (token, request id, host, length), or a Connection header naming others.
 */
export const readFastRequestHeaders = (raw: ReadonlyArray<string>): FastRequestHeaders | undefined => {
  const forward: string[] = [];
  const cookies: string[] = [];
  let token: string | undefined;
  let requestId: string | undefined;
  let host: string | undefined;
  let contentLength: string | undefined;
  let forwardedFor: string | undefined;
  let chunked = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? "";
    const value = raw[i + 1] ?? "";
    const lower = name.toLowerCase();
    switch (lower) {
      case "x-preview-token":
        if (token !== undefined) return undefined;
        token = value;
        break;
      case "x-request-id":
        if (requestId !== undefined) return undefined;
        requestId = value;
        break;
      case "host":
        if (host !== undefined) return undefined;
        host = value;
        break;
      case "content-length":
        if (contentLength !== undefined) return undefined;
        contentLength = value;
        break;
      case "upgrade":
        return undefined;
      case "connection":
        if (!plainConnection.has(value.trim().toLowerCase())) return undefined;
        break;
      case "cookie":
        cookies.push(value);
        break;
      case "x-forwarded-for":
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        break;
      case "transfer-encoding":
        chunked = true;
        break;
    }
    if (!dropped.has(lower) && !lower.startsWith("proxy-")) forward.push(name, value);
  }
  if (cookies.length > 0) {
    token ??= tokenInCookie(cookies.join("; "));
    const kept = withoutToken(cookies);
    if (kept !== "") forward.push("cookie", kept);
  }
  return { forward, token, requestId, host, forwardedFor, contentLength, hasBody: chunked || contentLength !== undefined };
};
