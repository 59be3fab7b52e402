import type { Origins } from "../config/origins.ts";

/**
 * The X-Forwarded-* rules, once for every path that forwards a request (the preview proxy's full
 * handler and Node fast path, WebSocket upgrades, the gateway's API forwarding): the proxy sets
 * these itself and drops whatever a client sent under the same names.
 */
export const forwardingHeaderNames: ReadonlySet<string> = new Set(["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix"]);

export interface Forwarding {
  /** The peer's address; omitted when the server does not know it. */
  readonly client: string | undefined;
  /**
   * The X-Forwarded-For the client sent. Previews get it with the peer appended (the app decides
   * whom to trust); the platform's own services are given undefined, so they see only the peer.
   */
  readonly earlierFor: string | undefined;
  /** The Host the client asked for. */
  readonly host: string;
  /**
   * The scheme the client used: that of the origin it reached (PUBLIC_URL's, or PREVIEW_ORIGIN's),
   * not of this hop, which is plain HTTP behind a TLS-terminating proxy.
   */
  readonly proto: string;
  /** `/p/{id}` for the programmatic path; the app is at the root of its own origin otherwise. */
  readonly prefix: string | undefined;
}

/** The forwarding headers as flat name, value pairs (the shape raw headers and undici take). */
export const forwardingHeaders = (f: Forwarding): string[] => {
  const out: string[] = [];
  if (f.client !== undefined) out.push("x-forwarded-for", f.earlierFor === undefined ? f.client : `${f.earlierFor}, ${f.client}`);
  out.push("x-forwarded-host", f.host, "x-forwarded-proto", f.proto);
  if (f.prefix !== undefined) out.push("x-forwarded-prefix", f.prefix);
  return out;
};

/** The same headers as [name, value] tuples. */
export const forwardingHeaderPairs = (f: Forwarding): Array<[string, string]> => {
  const flat = forwardingHeaders(f);
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] ?? "", flat[i + 1] ?? ""]);
  return pairs;
};

/** `https` for `https://example.com`: the scheme part of an origin, as X-Forwarded-Proto says it. */
export const schemeOf = (origin: string): string => origin.slice(0, Math.max(0, origin.indexOf(":")));

/** The scheme a client reached a preview on: its own origin's, or the platform's for `/p/{id}/`. */
export const previewProto = (origins: Pick<Origins, "platform" | "previewOrigin">, previewInstanceId: string, prefix: string | undefined): string =>
  schemeOf(prefix === undefined ? origins.previewOrigin(previewInstanceId) : origins.platform);
