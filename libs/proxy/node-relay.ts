import { type Redacted, Redacted as R } from "effect";
import type { Upstream } from "../runtime/contract.ts";
import type { HeaderPairs } from "./headers.ts";

/**
 * A preview on another runner node, reached through that node's internal proxy
 * (services/orchestrator/node-proxy.ts): one HTTP hop to the node's URL, which forwards to the
 * preview's own address there (a loopback port or Unix socket that only that machine can reach).
 */
export interface NodeRelay {
  readonly kind: "node";
  /** The node's origin (its row's `url`), e.g. http://10.0.0.7:8081. */
  readonly url: string;
  readonly previewInstanceId: string;
  /** The platform's internal token: the node's internal routes answer nothing without it. */
  readonly internalToken: Redacted.Redacted<string>;
}

/** Where the proxy sends a preview's requests: its own address on this machine, or its node. */
export type ProxyUpstream = Upstream | NodeRelay;

/**
 * The path the preview should see travels in this header, never in the relay's URL: the URL is
 * fixed, so no `..` or `%2e%2e` in a client's path can be normalised into another internal route.
 */
export const relayPathHeader = "x-relay-path";
export const internalTokenHeader = "x-internal-token";

/** The node's proxy entry for one preview (any method; WebSocket upgrades too). */
export const relayRoute = (previewInstanceId: string) => `/internal/previews/${encodeURIComponent(previewInstanceId)}/proxy`;

/** The relay's own headers, as flat name, value pairs (the shape undici and raw headers take). */
export const relayHeaders = (relay: NodeRelay, path: string): string[] =>
  [internalTokenHeader, R.value(relay.internalToken), relayPathHeader, path];

/** The same as [name, value] tuples, after the request's own (any of the request's under the relay's names dropped). */
export const withRelayHeaders = (relay: NodeRelay, path: string, headers: HeaderPairs): HeaderPairs => [
  ...headers.filter(([name]) => {
    const lower = name.toLowerCase();
    return lower !== internalTokenHeader && lower !== relayPathHeader;
  }),
  [internalTokenHeader, R.value(relay.internalToken)],
  [relayPathHeader, path],
];

/** A node's origin without a trailing slash. */
export const nodeOrigin = (url: string) => url.replace(/\/+$/, "");

/** How long a node may take to let go of its connections to a reloaded preview. */
const retireTimeoutMs = 5000;

/**
 * Asks the node to let go of its kept-alive connections to the preview (a live reload put another
 * process behind its address). Best effort: a node that does not answer has no connection to keep.
 */
export const retireOnNode = async (relay: NodeRelay): Promise<void> => {
  try {
    const res = await fetch(`${nodeOrigin(relay.url)}${relayRoute(relay.previewInstanceId)}/retire`, {
      method: "POST",
      headers: { [internalTokenHeader]: R.value(relay.internalToken) },
      signal: AbortSignal.timeout(retireTimeoutMs),
    });
    await res.body?.cancel();
  } catch {
    // Unreachable or slow: the node's own route cache drops the old address on its own.
  }
};

/** The request line's path and the headers for `upstream`: the preview's own, or its node's relay route with the relay's headers. */
export const requestFor = (upstream: ProxyUpstream, path: string, headers: HeaderPairs): { readonly path: string; readonly headers: HeaderPairs } =>
  upstream.kind === "node" ? { path: relayRoute(upstream.previewInstanceId), headers: withRelayHeaders(upstream, path, headers) } : { path, headers };
