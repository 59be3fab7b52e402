import { once } from "node:events";
import { mkdtempSync, renameSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { Effect, Layer, ManagedRuntime } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { NodeUpstreamLive } from "../../libs/proxy/node-upstream-client.ts";
import { UpstreamClient } from "../../libs/proxy/upstream-client.ts";
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

describe("retiring an upstream (a live reload put another process behind its socket)", () => {
  it("lets the kept-alive connection to the replaced process go: the next request reaches the new one, a request in flight still finishes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "retire-"));
    const path = join(dir, "app.sock");
    const serve = async (name: string, at: string) => {
      const held = new Map<string, () => void>();
      const server = createServer((req, res) => {
        if (req.url?.startsWith("/hold/") === true) held.set(req.url, () => res.end(`${name} held`));
        else res.end(name);
      });
      servers.push(server);
      server.listen(at);
      await once(server, "listening");
      return { held };
    };
    const runtime = ManagedRuntime.make(NodeUpstreamLive);
    try {
      const { client, pools } = await runtime.runPromise(Effect.gen(function* () { return { client: yield* UpstreamClient, pools: yield* UpstreamPools }; }));
      const upstream: Upstream = { kind: "unix", path };
      const get = (p: string) => runtime.runPromise(client.send(upstream, { method: "GET", path: p, headers: [], body: null, timeoutMs: 20_000, maxBodyBytes: 1024 })).then((r) => r.text());
      const old = await serve("old", path);
      // Two connections to the old process: one stays busy with a held request, the other is kept alive idle.
      const held = get("/hold/a");
      const idle = get("/hold/b");
      await eventually(() => (old.held.size === 2 ? true : undefined), 5_000, "both requests to be held");
      old.held.get("/hold/b")?.();
      expect(await idle).toBe("old held");
      await eventually(() => (pools.poolFor(upstream).stats.free === 1 ? true : undefined), 5_000, "the answered connection to be kept alive, idle");
      // The new process's socket takes the address, as a reload's rename does.
      await serve("new", join(dir, "next.sock"));
      renameSync(join(dir, "next.sock"), path);
      // The connection kept alive still reaches the old process...
      expect(await get("/")).toBe("old");
      await runtime.runPromise(client.retire(upstream));
      // ...until the upstream is retired.
      expect(await get("/")).toBe("new");
      old.held.get("/hold/a")?.();
      expect(await held).toBe("old held");
    } finally {
      await runtime.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
