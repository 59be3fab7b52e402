import { Context, Duration, Effect, Layer, Schedule } from "effect";
import { Pool } from "undici";
import type { ProxyUpstream } from "./node-relay.ts";

/**
 * One undici connection pool per upstream (a preview's TCP port or Unix socket), shared by every
 * part of a Node process that talks to previews. undici's dispatcher (llhttp, no stream or
 * ClientRequest objects per request) measured ~45 µs of CPU per proxied request here against
 * ~60 µs for node:http's client (a bare proxy of each, 32 connections), and it honours the
 * upstream's `Keep-Alive: timeout`, so an idle socket is not reused just as the preview closes it.
 */
export class UpstreamPools extends Context.Service<UpstreamPools, {
  readonly poolFor: (upstream: ProxyUpstream) => Pool;
  /** Drops the upstream's pool: its connections close once their requests are done; the next request gets a new pool. */
  readonly retire: (upstream: ProxyUpstream) => void;
}>()("platform/UpstreamPools") {}

// One pool per node for every preview it runs: the hop's connections are shared, not per preview.
const keyOf = (upstream: ProxyUpstream) =>
  upstream.kind === "tcp" ? `tcp:${upstream.host}:${upstream.port}` : upstream.kind === "unix" ? `unix:${upstream.path}` : `node:${upstream.url}`;

const makePool = (upstream: ProxyUpstream) =>
  upstream.kind === "tcp"
    ? new Pool(`http://${upstream.host.includes(":") ? `[${upstream.host}]` : upstream.host}:${upstream.port}`)
    : upstream.kind === "unix" ? new Pool("http://localhost", { socketPath: upstream.path }) : new Pool(upstream.url);

/**
 * Pools with no socket and no request left (their preview stopped, say) are dropped every
 * `sweepEvery`. Scoped: every pool is destroyed, its sockets closed, when the scope closes.
 */
export const upstreamPoolsLayer = (sweepEvery: Duration.Input) => Layer.effect(
  UpstreamPools,
  Effect.gen(function* () {
    const pools = new Map<string, Pool>();
    const poolFor = (upstream: ProxyUpstream) => {
      const key = keyOf(upstream);
      let pool = pools.get(key);
      if (pool === undefined) {
        pool = makePool(upstream);
        pools.set(key, pool);
      }
      return pool;
    };
    const sweep = Effect.sync(() => {
      for (const [key, pool] of pools) {
        if (pool.stats.connected === 0 && pool.stats.size === 0) {
          pools.delete(key);
          void pool.close();
        }
      }
    });
    yield* Effect.forkScoped(sweep.pipe(Effect.repeat(Schedule.spaced(sweepEvery))));
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        const all = [...pools.values()];
        pools.clear();
        await Promise.allSettled(all.map((pool) => pool.destroy()));
      }),
    );
    const retire = (upstream: ProxyUpstream) => {
      const key = keyOf(upstream);
      const pool = pools.get(key);
      pools.delete(key);
      void pool?.close();
    };
    return UpstreamPools.of({ poolFor, retire });
  }),
);

export const UpstreamPoolsLive = upstreamPoolsLayer(Duration.minutes(1));
