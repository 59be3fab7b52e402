import { Effect, Layer, type ManagedRuntime, Option } from "effect";
import { RouteInvalidationsLive } from "../../libs/cluster/route-events.ts";
import type { NodeInterceptor } from "../../libs/http/serve.ts";
import { isDeno } from "../../libs/js-runtime/is-deno.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { FetchUpstreamClientLive } from "../../libs/proxy/fetch-upstream-client.ts";
import { NodeUpstreamLive } from "../../libs/proxy/node-upstream-client.ts";
import { UpstreamPools } from "../../libs/proxy/upstream-pools.ts";
import type { PreviewDirectory } from "../../libs/previews/directory.ts";
import type { Origins } from "../../libs/config/origins.ts";
import type { GatewayConfig } from "./config.ts";
import { makeNodeFastProxy } from "./node-fast-proxy.ts";
import { PreviewProxy, PreviewProxyLive } from "./preview-proxy.ts";

/** undici pools on Node (measured 2–3× global fetch's throughput), which the fast path shares; fetch on Deno. */
export const upstreamClientLayer = isDeno ? FetchUpstreamClientLive : NodeUpstreamLive;

/** The preview proxy from the gateway's config, over the given directory. */
export const previewProxyLayer = <E, R>(config: GatewayConfig, origins: Origins, directory: Layer.Layer<PreviewDirectory, E, R>) =>
  PreviewProxyLive({
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    maxBodyBytes: config.maxProxyBodyBytes,
    routeCacheMs: config.routeCacheMs,
    activityFlushMs: config.activityFlushMs,
    node: Option.getOrUndefined(config.node),
  }, origins).pipe(Layer.provide(Layer.mergeAll(directory, upstreamClientLayer, RouteInvalidationsLive)));

/**
 * The Node fast path over the running proxy's route cache, activity reporter and upstream pools;
 * undefined where there are no pools (Deno), whose server hands every request to the app.
 */
export const nodeFastPath = (runtime: ManagedRuntime.ManagedRuntime<PreviewProxy, never>, config: GatewayConfig, origins: Origins, logger: Logger): NodeInterceptor | undefined => {
  const { proxy, pools } = runtime.runSync(Effect.gen(function* () {
    return { proxy: yield* PreviewProxy, pools: yield* Effect.serviceOption(UpstreamPools) };
  }));
  if (Option.isNone(pools)) return undefined;
  return makeNodeFastProxy({
    origins,
    cache: proxy.cache,
    activity: proxy.activity,
    pools: pools.value,
    unreachable: (id, e) => runtime.runPromise(Effect.flip(proxy.unreachable(id, e))),
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    maxBodyBytes: config.maxProxyBodyBytes,
    logger,
  });
};
