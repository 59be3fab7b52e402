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
/** Headers the fast path reads a single value of; a request repeating one takes the full handler. */
const single = new Set(["x-preview-token", "x-request-id", "host", "content-length"]);
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
 * single-valued header, or a Connection header naming other headers.
 */
export const readFastRequestHeaders = (raw: ReadonlyArray<string>): FastRequestHeaders | undefined => {
  const forward: string[] = [];
  const values = new Map<string, string>();
  const cookies: string[] = [];
  let forwardedFor: string | undefined;
  let hasBody = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? "";
    const value = raw[i + 1] ?? "";
    const lower = name.toLowerCase();
    if (single.has(lower)) {
      if (values.has(lower)) return undefined;
      values.set(lower, value);
    }
    if (lower === "upgrade") return undefined;
    if (lower === "connection" && !plainConnection.has(value.trim().toLowerCase())) return undefined;
    if (lower === "cookie") cookies.push(value);
    else if (lower === "x-forwarded-for") forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
    else if (lower === "transfer-encoding") hasBody = true;
    if (!dropped.has(lower) && !lower.startsWith("proxy-")) forward.push(name, value);
  }
  const contentLength = values.get("content-length");
  let token = values.get("x-preview-token");
  if (cookies.length > 0) {
    token ??= tokenInCookie(cookies.join("; "));
    const kept = withoutToken(cookies);
    if (kept !== "") forward.push("cookie", kept);
  }
  return {
    forward,
    token,
    requestId: values.get("x-request-id"),
    host: values.get("host"),
    forwardedFor,
    contentLength,
    hasBody: hasBody || contentLength !== undefined,
  };
};
