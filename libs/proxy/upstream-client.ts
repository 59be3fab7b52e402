import { Context, type Effect } from "effect";
import type { PayloadTooLarge } from "../http/request-errors.ts";
import type { ProxyUpstream } from "./node-relay.ts";
import type { HeaderPairs } from "./headers.ts";
import type { UpstreamTimeout, UpstreamUnreachable } from "./errors.ts";

export interface UpstreamRequest {
  readonly method: string;
  /** Path and query, as the upstream should see them. */
  readonly path: string;
  /** End-to-end headers only; the client adds nothing but what its transport needs. */
  readonly headers: HeaderPairs;
  readonly body: ReadableStream<Uint8Array> | null;
  /** Aborts the upstream exchange (the client went away). */
  readonly signal?: AbortSignal;
  /** Response headers must arrive within this; a streaming body may then take as long as it likes. */
  readonly timeoutMs: number;
  /** A request body larger than this is cut off: PayloadTooLarge. */
  readonly maxBodyBytes: number;
}

/**
 * Sends one request to an upstream (a TCP port, a Unix socket, or another node's proxy for a
 * preview there: node-relay.ts) and streams the response
 * back untouched: encodings are passed through, never decoded. Hop-by-hop headers are removed
 * from the response.
 */
export class UpstreamClient extends Context.Service<UpstreamClient, {
  readonly send: (upstream: ProxyUpstream, request: UpstreamRequest) => Effect.Effect<Response, UpstreamUnreachable | UpstreamTimeout | PayloadTooLarge>;
  /**
   * Connections kept open to `upstream` are let go (each once its requests are done) and the next
   * request opens a new one: a live reload put another process behind the same address, and a
   * kept-alive connection would still reach the one it replaced. For a preview on another node,
   * that node is asked to let go of its own connections to the preview (the hop's stay open).
   */
  readonly retire: (upstream: ProxyUpstream) => Effect.Effect<void>;
}>()("platform/UpstreamClient") {}
