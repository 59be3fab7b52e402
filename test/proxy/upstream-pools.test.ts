import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Effect, Layer, ManagedRuntime } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { UpstreamPools, upstreamPoolsLayer } from "../../libs/proxy/upstream-pools.ts";
import type { Upstream } from "../../libs/runtime/contract.ts";
import { eventually } from "../support/api.ts";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

const startUpstream = async (): Promise<{ server: Server; upstream: Upstream }> => {
  const server = createServer((_req, res) => res.end("ok"));
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, upstream: { kind: "tcp", host: "127.0.0.1", port: (server.address() as AddressInfo).port } };
};

const get = async (pools: UpstreamPools["Service"], upstream: Upstream) => {
  const res = await pools.poolFor(upstream).request({ method: "GET", path: "/" });
  return res.body.text();
};

describe("the upstream pools", () => {
  it("keeps one pool per upstream while it is in use, and drops it once its upstream is gone", async () => {
    const runtime = ManagedRuntime.make(upstreamPoolsLayer("50 millis"));
    const pools = await runtime.runPromise(Effect.gen(function* () { return yield* UpstreamPools; }));
    const kept = await startUpstream();
    const gone = await startUpstream();
    expect(await get(pools, kept.upstream)).toBe("ok");
    expect(await get(pools, gone.upstream)).toBe("ok");
    const keptPool = pools.poolFor(kept.upstream);
    const gonePool = pools.poolFor(gone.upstream);

    gone.server.closeAllConnections();
    gone.server.close();
    await eventually(() => (pools.poolFor(gone.upstream) !== gonePool ? true : undefined), 5_000, "the stopped upstream's pool to be dropped");
    // Its keep-alive socket still open, the live upstream's pool is the same one.
    expect(pools.poolFor(kept.upstream)).toBe(keptPool);
    expect(await get(pools, kept.upstream)).toBe("ok");

    await runtime.dispose();
    expect(keptPool.destroyed).toBe(true);
  });
});
