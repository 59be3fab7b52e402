/**
 * Proxy overhead: the gateway's transparent proxy (on a preview's own origin, and on `/p/{id}/`)
 * against a direct connection and against
 * node-http-proxy (keep-alive agent), in front of a real uvicorn preview and of a minimal Node
 * HTTP origin (the proxy's own ceiling), at 1 and 32 connections; then SSE delivery delay through
 * the gateway. Usage: node bench/proxy.ts [--duration S] [--warmup S] [--rounds N] [--events N]
 * (or BENCH_PROXY_DURATION / BENCH_PROXY_WARMUP / BENCH_PROXY_ROUNDS).
 *
 * Every case runs once per round, the cases of a round back to back, so a gateway run and the
 * http-proxy run it is compared with are seconds apart. Ratios are the median of the per-round
 * ratios: on a shared 2-core machine one run's req/s swings by a third, a paired median much less.
 */
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { request } from "undici";
import { makeLogger } from "../libs/observability/logger.ts";
import { callApi } from "../test/support/api.ts";
import { startTestPlatform, type TestPlatform } from "../test/support/test-gateway.ts";
import { type HttpProxyServer, type MeasuredLoad, type NodeOrigin, runLoad, sseDelays, startHttpProxy, startNodeOrigin } from "./support/proxy-harness.ts";
import { startStaticGateway, type StaticGateway } from "./support/static-gateway.ts";
import { percentile } from "./support/stats.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: process.env.BENCH_PROXY_DURATION ?? "5" },
    warmup: { type: "string", default: process.env.BENCH_PROXY_WARMUP ?? "1" },
    rounds: { type: "string", default: process.env.BENCH_PROXY_ROUNDS ?? "5" },
    events: { type: "string", default: "20" },
  },
});
const durationSeconds = Number(values.duration);
const warmupSeconds = Number(values.warmup);
const sseEvents = Number(values.events);
const rounds = Number(values.rounds);
if (!Number.isInteger(durationSeconds) || durationSeconds < 1) throw new Error(`--duration must be a positive integer (seconds), got ${values.duration}`);
if (!Number.isInteger(warmupSeconds) || warmupSeconds < 0) throw new Error(`--warmup must be a whole number of seconds, got ${values.warmup}`);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
if (!Number.isInteger(sseEvents) || sseEvents < 1) throw new Error(`--events must be a positive integer, got ${values.events}`);

const connectionCounts = [1, 32] as const;
const targets = { gatewayOverHttpProxy: 1.5, gatewayOverDirectUvicorn: 0.6, addedP50Ms: 1, sseMs: 10 };

/** `async def`, as the fastest a generated app answers: the proxy's share is then the largest. */
const benchApp = {
  "main.py": [
    "import asyncio",
    "import time",
    "from fastapi import FastAPI",
    "from fastapi.responses import StreamingResponse",
    "app = FastAPI()",
    "",
    "@app.get('/json')",
    "async def small_json():",
    "    return {'ok': True}",
    "",
    "@app.get('/events')",
    "async def events(n: int = 20):",
    "    async def sse():",
    "        for i in range(n):",
    "            yield f'id: {i}\\ndata: {time.time() * 1000:.3f}\\n\\n'",
    "            await asyncio.sleep(0.1)",
    "    return StreamingResponse(sse(), media_type='text/event-stream')",
    "",
  ].join("\n"),
};

type Origin = "uvicorn" | "node";
/** gateway: on the preview's own origin (Host {id}.preview.localhost); gateway /p/: the programmatic path on the platform's. */
type Path = "direct" | "gateway" | "gateway /p/" | "http-proxy";
interface Case { readonly origin: Origin; readonly path: Path; readonly url: string; readonly headers: Record<string, string> }

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => { interrupted = true; });

const fmtRps = (v: number) => Math.round(v).toString().padStart(7);
const fmtMs = (v: number) => `${v.toFixed(2)}`.padStart(7);
const fmtRatio = (v: number) => `${v.toFixed(2)}×`;
const verdict = (ok: boolean) => (ok ? "met" : "not met");

const main = async () => {
  let platform: TestPlatform | undefined;
  let preview: { token: string; generationId: string } | undefined;
  let origin: NodeOrigin | undefined;
  let gateway: StaticGateway | undefined;
  const proxies: HttpProxyServer[] = [];
  try {
    platform = await startTestPlatform();
    const launched = await platform.runPreview("bench-user", benchApp);
    preview = launched;
    const [row] = platform.orchestrator.query<{ port: number | null }>("select port from previews where id = ?", launched.previewId);
    const uvicornPort = row?.port;
    if (uvicornPort === undefined || uvicornPort === null) throw new Error(`no port recorded for preview ${launched.previewId}`);

    origin = await startNodeOrigin();
    gateway = await startStaticGateway(origin.port, makeLogger("gateway", () => {}));
    const uvicornProxy = await startHttpProxy(uvicornPort);
    proxies.push(uvicornProxy);
    const nodeProxy = await startHttpProxy(origin.port);
    proxies.push(nodeProxy);

    const uvicornToken = { "x-preview-token": launched.previewToken };
    const nodeToken = { "x-preview-token": gateway.previewToken };
    // A preview's own origin, reached on 127.0.0.1 with its Host (Node does not resolve *.localhost).
    const onOrigin = (gatewayUrl: string, previewId: string) => ({ host: `${previewId}.preview.localhost:${new URL(gatewayUrl).port}` });
    // Every case sends the same token header; only the gateway reads (and strips) it.
    const cases: ReadonlyArray<Case> = [
      { origin: "uvicorn", path: "direct", url: `http://127.0.0.1:${uvicornPort}/json`, headers: uvicornToken },
      { origin: "uvicorn", path: "gateway", url: `${platform.gateway}/json`, headers: { ...uvicornToken, ...onOrigin(platform.gateway, launched.previewId) } },
      { origin: "uvicorn", path: "gateway /p/", url: `${platform.gateway}/p/${launched.previewId}/json`, headers: uvicornToken },
      { origin: "uvicorn", path: "http-proxy", url: `${uvicornProxy.url}/json`, headers: uvicornToken },
      { origin: "node", path: "direct", url: `http://127.0.0.1:${origin.port}/json`, headers: nodeToken },
      { origin: "node", path: "gateway", url: `${gateway.url}/json`, headers: { ...nodeToken, ...onOrigin(gateway.url, gateway.previewId) } },
      { origin: "node", path: "gateway /p/", url: `${gateway.url}/p/${gateway.previewId}/json`, headers: nodeToken },
      { origin: "node", path: "http-proxy", url: `${nodeProxy.url}/json`, headers: nodeToken },
    ];
    for (const c of cases) {
      const res = await request(c.url, { headers: c.headers });
      const text = await res.body.text();
      if (res.statusCode !== 200 || JSON.stringify(JSON.parse(text)) !== '{"ok":true}') throw new Error(`${c.origin} ${c.path}: ${c.url} answered ${res.statusCode} ${text}`);
    }

    console.log(`proxy overhead, small JSON (GET /json → {"ok": true}); ${rounds} round(s), ${durationSeconds} s per case after a ${warmupSeconds} s warm-up, pipelining 1`);
    console.log(`load: autocannon in a child process per run (not sharing the proxies' event loop); the proxies under test run in this process`
      + ` (gateway access log formatted, then discarded), as does the test orchestrator (it reads uvicorn's access log); Node origin in its own process`);
    console.log(`machine: ${availableParallelism()} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} at start`);
    console.log("cpu µs = this process's CPU time per response during the measured run (the proxy's own cost; for uvicorn cases it includes the orchestrator's log capture)\n");

    const results = new Map<string, MeasuredLoad[]>();
    const key = (origin: Origin, path: Path, connections: number) => `${origin}/${path}/${connections}`;
    const failures: string[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const connections of connectionCounts) {
        for (const c of cases) {
          if (interrupted) throw new Error("interrupted");
          const result = await runLoad({ url: c.url, connections, durationSeconds, warmupSeconds, headers: c.headers });
          if (result.non2xx > 0 || result.errors > 0) failures.push(`${c.origin} ${c.path} c=${connections}, round ${round}: ${result.non2xx} non-2xx, ${result.errors} errors (${result.timeouts} timeouts)`);
          const k = key(c.origin, c.path, connections);
          results.set(k, [...(results.get(k) ?? []), result]);
        }
      }
    }
    const runs = (origin: Origin, path: Path, connections: number): ReadonlyArray<MeasuredLoad> => {
      const r = results.get(key(origin, path, connections));
      if (r === undefined || r.length !== rounds) throw new Error(`missing runs for ${key(origin, path, connections)}`);
      return r;
    };
    const median = (values: ReadonlyArray<number>) => percentile(values, 50);
    /** The median over rounds of one measure, or of one measure of a case against another's in the same round. */
    const medianOf = (origin: Origin, path: Path, n: number, measure: (r: MeasuredLoad) => number) => median(runs(origin, path, n).map(measure));
    const paired = (origin: Origin, a: Path, b: Path, n: number, compare: (x: MeasuredLoad, y: MeasuredLoad) => number) => {
      const ys = runs(origin, b, n);
      return runs(origin, a, n).map((x, i) => compare(x, ys[i] as MeasuredLoad));
    };
    const rpsRatio = (x: MeasuredLoad, y: MeasuredLoad) => x.requestsPerSecond / y.requestsPerSecond;
    const addedP50 = (x: MeasuredLoad, y: MeasuredLoad) => x.p50Ms - y.p50Ms;

    const label = (c: Case) => `${c.origin === "uvicorn" ? "uvicorn" : "node origin"} ${c.path}`;
    const width = Math.max(...cases.map((c) => label(c).length));
    const head = (n: number) => `${`c=${n}`.padStart(4)}: req/s  p50 ms  p99 ms  cpu µs`;
    console.log(`medians of ${rounds} round(s):`);
    console.log(`${"".padEnd(width)}  ${connectionCounts.map(head).join("  ")}`);
    for (const c of cases) {
      const cells = connectionCounts.map((n) => {
        const m = (measure: (r: MeasuredLoad) => number) => medianOf(c.origin, c.path, n, measure);
        return `${fmtRps(m((r) => r.requestsPerSecond))}  ${fmtMs(m((r) => r.p50Ms))} ${fmtMs(m((r) => r.p99Ms))} ${m((r) => r.cpuMicrosPerResponse).toFixed(0).padStart(7)}`;
      });
      console.log(`${label(c).padEnd(width)}  ${cells.join("   ")}`);
    }

    console.log("\nratios (req/s) and added p50 over direct, each the median of its per-round values:");
    for (const o of ["uvicorn", "node"] as const) {
      for (const n of connectionCounts) {
        console.log(`  ${(o === "uvicorn" ? "uvicorn" : "node origin").padEnd(11)} c=${String(n).padEnd(2)}`
          + `  gateway/direct ${fmtRatio(median(paired(o, "gateway", "direct", n, rpsRatio)))}`
          + `  http-proxy/direct ${fmtRatio(median(paired(o, "http-proxy", "direct", n, rpsRatio)))}`
          + `  gateway/http-proxy ${fmtRatio(median(paired(o, "gateway", "http-proxy", n, rpsRatio)))}`
          + `  gateway /p//http-proxy ${fmtRatio(median(paired(o, "gateway /p/", "http-proxy", n, rpsRatio)))}`
          + `  added p50: gateway +${median(paired(o, "gateway", "direct", n, addedP50)).toFixed(2)} ms, http-proxy +${median(paired(o, "http-proxy", "direct", n, addedP50)).toFixed(2)} ms`);
      }
    }
    const perRound = paired("node", "gateway", "http-proxy", 32, rpsRatio);
    console.log(`  node origin c=32 gateway/http-proxy per round: ${perRound.map(fmtRatio).join(" ")}`);

    if (interrupted) throw new Error("interrupted");
    // SSE last: nothing else runs while events are timed. One short unmeasured stream per path first,
    // so the first measured event does not pay for the streaming code's first compilation.
    await sseDelays(`${platform.gateway}/p/${launched.previewId}/events?n=2`, uvicornToken);
    await sseDelays(`${gateway.url}/p/${gateway.previewId}/events?n=2`, nodeToken);
    const sse = {
      gatewayUvicorn: await sseDelays(`${platform.gateway}/p/${launched.previewId}/events?n=${sseEvents}`, uvicornToken),
      directUvicorn: await sseDelays(`http://127.0.0.1:${uvicornPort}/events?n=${sseEvents}`, {}),
      gatewayNode: await sseDelays(`${gateway.url}/p/${gateway.previewId}/events?n=${sseEvents}`, nodeToken),
    };
    for (const [name, delays] of Object.entries(sse)) {
      if (delays.length !== sseEvents) throw new Error(`SSE ${name}: ${delays.length} of ${sseEvents} events arrived`);
    }
    console.log(`\nSSE, one stream of ${sseEvents} events 100 ms apart (after a 2-event warm-up stream), receive time − send time (ms):`);
    const sseRow = (name: string, d: ReadonlyArray<number>) =>
      console.log(`  ${name.padEnd(24)} first ${fmtMs(d[0] ?? Number.NaN)}  p50 ${fmtMs(percentile(d, 50))}  max ${fmtMs(Math.max(...d))}`);
    sseRow("uvicorn direct", sse.directUvicorn);
    sseRow("gateway → uvicorn", sse.gatewayUvicorn);
    sseRow("gateway → node origin", sse.gatewayNode);

    const nodeRatio32 = median(perRound);
    const nodeRatio1 = median(paired("node", "gateway", "http-proxy", 1, rpsRatio));
    const uvicornShare = median(paired("uvicorn", "gateway", "direct", 32, rpsRatio));
    const addedUvicorn = median(paired("uvicorn", "gateway", "direct", 1, addedP50));
    const addedNode = median(paired("node", "gateway", "direct", 1, addedP50));
    const sseFirst = sse.gatewayUvicorn[0] ?? Number.NaN;
    const sseP50 = percentile(sse.gatewayUvicorn, 50);
    const sseMax = Math.max(...sse.gatewayUvicorn);
    console.log("\ntargets:");
    console.log(`  node origin, gateway ≥ ${targets.gatewayOverHttpProxy}× http-proxy req/s (c=32): ${fmtRatio(nodeRatio32)} (c=1: ${fmtRatio(nodeRatio1)}) — ${verdict(nodeRatio32 >= targets.gatewayOverHttpProxy)}`);
    console.log(`  uvicorn, gateway ≥ ${targets.gatewayOverDirectUvicorn * 100}% of direct req/s (c=32): ${(uvicornShare * 100).toFixed(1)}% — ${verdict(uvicornShare >= targets.gatewayOverDirectUvicorn)}`);
    console.log(`  added p50 ≤ ${targets.addedP50Ms} ms at c=1: uvicorn +${addedUvicorn.toFixed(2)} ms, node origin +${addedNode.toFixed(2)} ms — ${verdict(addedUvicorn <= targets.addedP50Ms && addedNode <= targets.addedP50Ms)}`);
    console.log(`  SSE event through the gateway within ${targets.sseMs} ms of the preview sending it (first event and p50): first ${sseFirst.toFixed(2)} ms, p50 ${sseP50.toFixed(2)} ms`
      + ` (max of ${sseEvents} ${sseMax.toFixed(2)} ms) — ${verdict(sseFirst <= targets.sseMs && sseP50 <= targets.sseMs)}`);

    if (failures.length > 0) throw new Error(`load runs saw failed requests:\n  ${failures.join("\n  ")}`);
  } finally {
    if (platform !== undefined && preview !== undefined) {
      const stopped = await callApi(platform.gateway, "DELETE", `/api/generations/${preview.generationId}/preview`, { token: preview.token }).catch((e: unknown) => ({ status: 0, body: { error: String(e) } }));
      if (stopped.status !== 200) console.error(`stopping the preview answered ${stopped.status}: ${JSON.stringify(stopped.body)}`);
    }
    for (const p of proxies) await p.close();
    await gateway?.shutdown();
    await origin?.stop();
    await platform?.dispose();
  }
};

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exitCode = 1;
});
