/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, not the message, so a
 * proxy must not forward them — nor any header that `Connection` names.
 */
export const hopByHopHeaders: ReadonlySet<string> = new Set([
  "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
  "proxy-authenticate", "proxy-authorization",
]);

export type HeaderPairs = Array<[string, string]>;

/** Header pairs without hop-by-hop headers, without those `Connection` names, and without `drop`. */
export const endToEndHeaders = (headers: Headers, drop: ReadonlySet<string> = new Set()): HeaderPairs => {
  const named = new Set((headers.get("connection") ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean));
  const pairs: HeaderPairs = [];
  headers.forEach((value, key) => {
    if (!hopByHopHeaders.has(key) && !named.has(key) && !key.startsWith("proxy-") && !drop.has(key)) pairs.push([key, value]);
  });
  return pairs;
};

const bodilessStatuses: ReadonlySet<number> = new Set([101, 204, 205, 304]);

/** Whether a response carries a body to pass on (RFC 9110 §6.4.1). */
export const passesBody = (status: number, method: string): boolean => !bodilessStatuses.has(status) && method !== "HEAD";
