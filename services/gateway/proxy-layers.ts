import type { IncomingMessage, ServerResponse } from "node:http";
import { Effect, Layer, type ManagedRuntime } from "effect";
import { isDeno } from "../../libs/js-runtime/is-deno.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { FetchUpstreamClientLive } from "../../libs/proxy/fetch-upstream-client.ts";
import { NodeUpstreamClientLive } from "../../libs/proxy/node-upstream-client.ts";
import type { PreviewDirectory } from "../../libs/previews/directory.ts";
import type { GatewayConfig } from "./config.ts";
import { makeNodeFastProxy } from "./node-fast-proxy.ts";
import { PreviewProxy, PreviewProxyLive } from "./preview-proxy.ts";

/** node:http pools on Node (measured 2–3× global fetch's throughput); fetch on Deno. */
export const upstreamClientLayer = isDeno ? FetchUpstreamClientLive : NodeUpstreamClientLive;

/** The preview proxy from the gateway's config, over the given directory. */
export const previewProxyLayer = <E, R>(config: GatewayConfig, directory: Layer.Layer<PreviewDirectory, E, R>) =>
  PreviewProxyLive({
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    maxBodyBytes: config.maxProxyBodyBytes,
    routeCacheMs: config.routeCacheMs,
    activityFlushMs: config.activityFlushMs,
  }).pipe(Layer.provide(Layer.mergeAll(directory, upstreamClientLayer)));

/** The Node fast path over the running proxy's route cache and activity reporter. */
export const nodeFastPath = (runtime: ManagedRuntime.ManagedRuntime<PreviewProxy, never>, config: GatewayConfig, logger: Logger): (req: IncomingMessage, res: ServerResponse) => boolean => {
  const { cache, activity } = runtime.runSync(Effect.gen(function* () { return yield* PreviewProxy; }));
  return makeNodeFastProxy({ cache, activity, upstreamTimeoutMs: config.upstreamTimeoutMs, maxBodyBytes: config.maxProxyBodyBytes, logger });
};
