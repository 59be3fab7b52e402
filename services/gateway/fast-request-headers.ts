import { hopByHopHeaders } from "../../libs/proxy/headers.ts";
import { rewrittenHeaders } from "./preview-proxy.ts";
import { splitPreviewCookie } from "./preview-token.ts";

/** What the Node fast path needs from a request's headers. */
export interface FastRequestHeaders {
  /** End-to-end headers for the preview: no hop-by-hop header, no platform credential, cookies minus the hand-off cookie (the app's Authorization kept). */
  readonly forward: string[];
  /** X-Preview-Token. */
  readonly headerToken: string | undefined;
  /** The hand-off cookie. */
  readonly cookieToken: string | undefined;
  /** Fetch metadata (preview-token.ts cookieMayAuthorize). */
  readonly secFetchSite: string | undefined;
  readonly secFetchMode: string | undefined;
  readonly requestId: string | undefined;
  readonly host: string | undefined;
  readonly forwardedFor: string | undefined;
  readonly contentLength: string | undefined;
  /** A body follows (RFC 9112 §6.3): a length or a transfer coding says so. */
  readonly hasBody: boolean;
}

// Hop-by-hop (RFC 9110 §7.6.1) and the platform's own headers never reach a preview. `expect` is
// answered by node:http itself (100 Continue), and undici refuses to send it.
const dropped: ReadonlySet<string> = new Set([...hopByHopHeaders, ...rewrittenHeaders, "expect"]);
/** Connection values that name no other header: the only ones the fast path handles itself. */
const plainConnection = new Set(["keep-alive", "close"]);

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
  let secFetchSite: string | undefined;
  let secFetchMode: string | undefined;
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
      case "sec-fetch-site":
        if (secFetchSite !== undefined) return undefined;
        secFetchSite = value;
        break;
      case "sec-fetch-mode":
        if (secFetchMode !== undefined) return undefined;
        secFetchMode = value;
        break;
    }
    if (!dropped.has(lower) && !lower.startsWith("proxy-")) forward.push(name, value);
  }
  let cookieToken: string | undefined;
  if (cookies.length > 0) {
    const cookie = splitPreviewCookie(cookies.join("; "));
    cookieToken = cookie.token;
    if (cookie.rest !== undefined) forward.push("cookie", cookie.rest);
  }
  return { forward, headerToken: token, cookieToken, secFetchSite, secFetchMode, requestId, host, forwardedFor, contentLength, hasBody: chunked || contentLength !== undefined };
};
