import { Context, Effect, Layer } from "effect";
import { PreviewUnavailable, type UpstreamUnreachable } from "../../libs/proxy/errors.ts";
import { UpstreamClient } from "../../libs/proxy/upstream-client.ts";
import { Previews } from "../../libs/previews/contract.ts";
import type { Upstream } from "../../libs/runtime/contract.ts";
import { RunnerNode } from "./runner-node.ts";

/** How long the node trusts a looked-up address; a stop, reload or crash is also noticed at once (unreachable, retire). */
const routeCacheMs = 1000;

export interface NodeProxyOptions {
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
}

/**
 * This node's proxy entry for its own previews (`/internal/previews/{id}/proxy`, behind the
 * internal token): what a gateway on another machine sends a preview's requests to. It serves
 * only the running previews this node runs, at their address here (a loopback port or a Unix
 * socket other machines cannot reach).
 */
export class NodeProxy extends Context.Service<NodeProxy, {
  readonly options: NodeProxyOptions;
  /** The preview's address here if it runs on this node, else PreviewUnavailable. */
  readonly local: (previewInstanceId: string) => Effect.Effect<Upstream, PreviewUnavailable>;
  /** The cached address, without asking anyone (the Node fast path's lookup). */
  readonly peek: (previewInstanceId: string) => Upstream | undefined;
  /** Refused: PreviewUnavailable if it stopped meanwhile, else the refusal itself. */
  readonly unreachable: (previewInstanceId: string, e: UpstreamUnreachable) => Effect.Effect<never, UpstreamUnreachable | PreviewUnavailable>;
  /** A live reload put another process behind the address: the cached address and kept-alive connections go. */
  readonly retire: (previewInstanceId: string) => Effect.Effect<void>;
}>()("orchestrator/NodeProxy") {}

export const NodeProxyLive = (options: NodeProxyOptions) => Layer.effect(NodeProxy, Effect.gen(function* () {
  const previews = yield* Previews;
  const upstreams = yield* UpstreamClient;
  const self = (yield* RunnerNode).identity.id;
  const cache = new Map<string, { readonly upstream: Upstream; readonly at: number }>();

  const peek = (id: string) => {
    const hit = cache.get(id);
    if (hit === undefined) return undefined;
    if (Date.now() - hit.at < routeCacheMs) return hit.upstream;
    cache.delete(id);
    return undefined;
  };

  const local = (id: string) => Effect.suspend(() => {
    const hit = peek(id);
    if (hit !== undefined) return Effect.succeed(hit);
    return previews.route(id).pipe(
      Effect.mapError(() => new PreviewUnavailable({ previewInstanceId: id })),
      Effect.flatMap((route) => {
        // Another node's preview is not this node's to serve, even at an address it could reach.
        if (route.status !== "running" || route.upstream === null || route.node?.id !== self) return Effect.fail(new PreviewUnavailable({ previewInstanceId: id }));
        const upstream = route.upstream;
        cache.set(id, { upstream, at: Date.now() });
        return Effect.succeed(upstream);
      }),
    );
  });

  const unreachable = (id: string, e: UpstreamUnreachable) => {
    cache.delete(id);
    return local(id).pipe(Effect.andThen(Effect.fail(e)));
  };

  const retire = (id: string) => Effect.gen(function* () {
    const cached = cache.get(id)?.upstream;
    cache.delete(id);
    if (cached !== undefined) yield* upstreams.retire(cached);
    const now = yield* local(id).pipe(Effect.option);
    if (now._tag === "Some") yield* upstreams.retire(now.value);
  });

  return NodeProxy.of({ options, local, peek, unreachable, retire });
}));
