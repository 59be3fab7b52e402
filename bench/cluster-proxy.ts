// Proxy throughput to a preview on another runner node (gateway → that node's internal proxy →
// preview) against one on the gateway's own node (gateway → preview, no hop), beside the single
// machine's (`npm start`'s shape: one orchestrator on SQLite, a gateway with no node), all in the
// same run: two nodes on a throwaway PostgreSQL, the same uvicorn app on each. Each round runs the
// cases back to back; ratios are the median of the per-round ratios (a shared 2-core machine's
// req/s swings by a third from one run to the next). Run by `npm run bench:cluster` after the
// admission part. Usage: node bench/cluster-proxy.ts [--duration S] [--warmup S] [--rounds N]
import type { ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigProvider } from "effect";
import getPort from "get-port";
import { request } from "undici";
import { signUserToken } from "../libs/auth/user-token.ts";
import { startThrowawayPostgres } from "../libs/cluster/throwaway-postgres.ts";
import { makeLogger } from "../libs/observability/logger.ts";
import { serveGateway } from "../services/gateway/serve-gateway.ts";
import { startBenchNode } from "./support/bench-node.ts";
import { type MeasuredLoad, runLoad } from "./support/proxy-harness.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: process.env.BENCH_PROXY_DURATION ?? "3" },
    warmup: { type: "string", default: process.env.BENCH_PROXY_WARMUP ?? "1" },
    rounds: { type: "string", default: process.env.BENCH_PROXY_ROUNDS ?? "3" },
  },
});
const durationSeconds = Number(values.duration);
const warmupSeconds = Number(values.warmup);
const rounds = Number(values.rounds);
for (const [name, v, min] of [["duration", durationSeconds, 1], ["warmup", warmupSeconds, 0], ["rounds", rounds, 1]] as const) {
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got ${String(v)}`);
}
const target = 0.7;
const connectionCounts = [1, 32] as const;

const jwtSecret = "bench-cluster-proxy-secret-0123456789abc";
const internalToken = "bench-cluster-proxy-internal-0123456789";
/** `async def`, the fastest a generated app answers: the proxies' share is then the largest. */
const app = { "main.py": "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/json')\nasync def small_json():\n    return {'ok': True}\n" };

const root = mkdtempSync(join(tmpdir(), "bench-cluster-proxy-"));
chmodSync(root, 0o755); // PostgreSQL runs as the postgres user
const children: ChildProcess[] = [];
const gateways: Array<{ shutdown: () => Promise<void> }> = [];

const pids = new Map<string, number>();
/** A process's CPU time so far (user + system), in µs, from /proc (clock ticks of 10 ms). */
const cpuMicrosOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};

const node = { root, jwtSecret, internalToken, children };
const startNode = async (name: string, publicUrl: string, env: Record<string, string>): Promise<string> => {
  const started = await startBenchNode(node, name, { PUBLIC_URL: publicUrl, ...env });
  pids.set(name, started.pid);
  return started.url;
};

/** A gateway in this process (as bench/proxy.ts runs its proxies), beside `node` when given. */
const startGateway = async (port: number, orchestratorUrl: string, node: string | undefined): Promise<string> => {
  const service = await serveGateway({
    configProvider: ConfigProvider.fromUnknown({
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: join(root, `gateway-${port}`),
      JWT_SECRET: jwtSecret,
      INTERNAL_TOKEN: internalToken,
      GATEWAY: { ORCHESTRATOR_URL: orchestratorUrl, LOGS_URL: "http://127.0.0.1:9", ...(node === undefined ? {} : { NODE_ID: node }) },
    }),
    logger: makeLogger("gateway", () => {}),
    port,
  });
  gateways.push(service);
  return `http://127.0.0.1:${service.server.port}`;
};

/** Uploads and launches the app on `nodeUrl` (which runs it: the emptiest node, itself first among equals). */
const launchOn = async (apiUrl: string, nodeUrl: string, userId: string) => {
  const headers = { authorization: `Bearer ${await signUserToken(jwtSecret, userId)}`, "content-type": "application/json" };
  const created = await fetch(`${apiUrl}/api/generations`, { method: "POST", headers, body: JSON.stringify({ files: app }) });
  const { generationId } = await created.json() as { generationId: string };
  const launched = await fetch(`${nodeUrl}/api/generations/${generationId}/preview/launch`, { method: "POST", headers, body: JSON.stringify({ wait: true }) });
  const body = await launched.json() as { previewInstanceId: string; previewToken: string; node?: string };
  if (launched.status !== 200) throw new Error(`launch on ${nodeUrl} answered ${launched.status}: ${JSON.stringify(body)}`);
  const status = await fetch(`${apiUrl}/api/generations/${generationId}/preview/status`, { headers });
  return { ...body, node: ((await status.json()) as { node?: string }).node };
};

interface Case { readonly label: string; readonly url: string; readonly headers: Record<string, string> }
const onOrigin = (gatewayUrl: string, preview: { previewInstanceId: string; previewToken: string }): Case["headers"] => ({
  host: `${preview.previewInstanceId}.preview.localhost:${new URL(gatewayUrl).port}`,
  "x-preview-token": preview.previewToken,
});
const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};

let pg: Awaited<ReturnType<typeof startThrowawayPostgres>> | undefined;
let failed = false;
try {
  // One machine, as `npm start` runs it: one orchestrator on SQLite and a gateway with no node.
  const singlePort = await getPort();
  const single = await startNode("single", `http://127.0.0.1:${singlePort}`, {});
  const singleGateway = await startGateway(singlePort, single, undefined);
  const onSingle = await launchOn(single, single, "bench-single");

  // Two nodes on PostgreSQL and a gateway beside node-a.
  pg = await startThrowawayPostgres(join(root, "pg"));
  const clusterPort = await getPort();
  const shared = { DATABASE_URL: pg.url, ORCHESTRATOR_GENERATIONS_DIR: join(root, "generations") };
  const nodeA = await startNode("node-a", `http://127.0.0.1:${clusterPort}`, shared);
  const nodeB = await startNode("node-b", `http://127.0.0.1:${clusterPort}`, shared);
  const gateway = await startGateway(clusterPort, nodeA, "node-a");
  const same = await launchOn(gateway, nodeA, "bench-same");
  const other = await launchOn(gateway, nodeB, "bench-other");
  if (same.node !== "node-a" || other.node !== "node-b") throw new Error(`previews placed on ${same.node} and ${other.node}, not node-a and node-b`);

  const cases: ReadonlyArray<Case> = [
    { label: "single machine", url: `${singleGateway}/json`, headers: onOrigin(singleGateway, onSingle) },
    { label: "same node", url: `${gateway}/json`, headers: onOrigin(gateway, same) },
    { label: "other node", url: `${gateway}/json`, headers: onOrigin(gateway, other) },
  ];
  // undici's request, unlike fetch, sends the preview origin's Host.
  for (const c of cases) {
    const res = await request(c.url, { headers: c.headers });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text !== '{"ok":true}') throw new Error(`${c.label}: ${c.url} answered ${res.statusCode} ${text}`);
  }

  console.log(`\nproxy throughput to a preview on another node (gateway → node's internal proxy → uvicorn) against one on the gateway's node (gateway → uvicorn), beside one machine's`);
  console.log(`GET /json → {"ok": true} on uvicorn; ${rounds} round(s), ${durationSeconds} s per case after a ${warmupSeconds} s warm-up, pipelining 1; gateways in this process, nodes and previews in their own`);
  console.log(`machine: ${availableParallelism()} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} at start`);

  const results = new Map<string, MeasuredLoad[]>();
  const errors: string[] = [];
  const nodeCpus = new Map<string, number[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const connections of connectionCounts) {
      for (const c of cases) {
        // The node running the preview: it captures the preview's output (uvicorn's access log) in
        // every case, and relays in the other node's; its CPU over warm-up and run, scaled to the measured part.
        const nodePid = pids.get(c.label === "other node" ? "node-b" : c.label === "same node" ? "node-a" : "single") ?? 0;
        const nodeCpuBefore = cpuMicrosOf(nodePid);
        const r = await runLoad({ url: c.url, connections, durationSeconds, warmupSeconds, headers: c.headers });
        const nodeCpu = (cpuMicrosOf(nodePid) - nodeCpuBefore) * durationSeconds / (durationSeconds + warmupSeconds) / Math.max(1, r.responses);
        nodeCpus.set(`${c.label}/${connections}`, [...(nodeCpus.get(`${c.label}/${connections}`) ?? []), nodeCpu]);
        if (r.non2xx > 0 || r.errors > 0) errors.push(`${c.label} c=${connections}, round ${round}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        const key = `${c.label}/${connections}`;
        results.set(key, [...(results.get(key) ?? []), r]);
      }
    }
  }
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`\nmedians of ${rounds} round(s):`);
  console.log(`${pad("", 16)}${connectionCounts.map((c) => `c=${c}: req/s  p50 ms  p99 ms  gw cpu µs  node cpu µs`.padStart(53)).join("")}`);
  for (const c of cases) {
    const cols = connectionCounts.map((n) => {
      const rs = results.get(`${c.label}/${n}`) ?? [];
      return `${Math.round(median(rs.map((r) => r.requestsPerSecond))).toString().padStart(17)}${median(rs.map((r) => r.p50Ms)).toFixed(2).padStart(8)}${median(rs.map((r) => r.p99Ms)).toFixed(2).padStart(8)}${Math.round(median(rs.map((r) => r.cpuMicrosPerResponse))).toString().padStart(11)}${Math.round(median(nodeCpus.get(`${c.label}/${n}`) ?? [])).toString().padStart(13)}`;
    });
    console.log(`${pad(c.label, 16)}${cols.join("")}`);
  }
  const ratio = (a: string, b: string, n: number) => {
    const as = results.get(`${a}/${n}`) ?? [];
    const bs = results.get(`${b}/${n}`) ?? [];
    return median(as.map((r, i) => r.requestsPerSecond / Math.max(1e-9, bs[i]?.requestsPerSecond ?? NaN)));
  };
  console.log("\nratios (req/s), each the median of its per-round values:");
  for (const n of connectionCounts) {
    const crossNode = ratio("other node", "same node", n);
    console.log(`  c=${n}: other node / same node ${crossNode.toFixed(2)}× [target ≥ ${target}: ${crossNode >= target ? "met" : "not met"}]`
      + `   same node / single machine ${ratio("same node", "single machine", n).toFixed(2)}×   other node / single machine ${ratio("other node", "single machine", n).toFixed(2)}×`);
    const perRound = (results.get(`other node/${n}`) ?? []).map((r, i) => r.requestsPerSecond / Math.max(1e-9, results.get(`same node/${n}`)?.[i]?.requestsPerSecond ?? NaN));
    console.log(`        other node / same node per round: ${perRound.map((x) => `${x.toFixed(2)}×`).join(" ")}`);
  }
  // What bounds the ratio on one machine: the hop's CPU is taken from the same cores the preview, the gateway and the load generator share.
  const hop = (n: number) => Math.round(median(nodeCpus.get(`other node/${n}`) ?? []) - median(nodeCpus.get(`same node/${n}`) ?? []));
  console.log(`the hop's own CPU (node cpu, other node − same node): ${connectionCounts.map((n) => `c=${n} ~${hop(n)} µs per response`).join(", ")};`
    + ` gw cpu µs = the gateways' process, node cpu µs = the preview's node process (its output capture, plus the relay on the other node).`
    + ` On one ${availableParallelism()}-core machine that CPU comes out of the cores the preview, the gateway and the load generator share; across machines it is the node's own.`);
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} at end`);
  if (errors.length > 0) {
    failed = true;
    console.log(`\nFAILED requests (every answer must be 2xx):\n  ${errors.join("\n  ")}`);
  }
} finally {
  await Promise.all(gateways.map((g) => g.shutdown()));
  await Promise.all(children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  })));
  await pg?.stop();
  rmSync(root, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
