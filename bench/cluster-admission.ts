// Admission under concurrent launches, on one machine and on the cluster, in the same run:
// 200 launches of one generation at once, (cluster) split over 3 runner nodes on a throwaway
// PostgreSQL (placement, then admission). Correct is exactly one admitted and 199 refused with
// preview_already_running; the time for all 200 answers is printed beside the single machine's.
// Run by `npm run bench:cluster` after the SSE part.
import type { ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { signUserToken } from "../libs/auth/user-token.ts";
import { startThrowawayPostgres } from "../libs/cluster/throwaway-postgres.ts";
import { startBenchNode } from "./support/bench-node.ts";

const launches = 200;
const jwtSecret = "bench-cluster-admission-secret-0123456789";
const internalToken = "bench-cluster-admission-internal-0123456789";
const app = { "main.py": "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/')\ndef root():\n    return {'ok': True}\n" };

const root = mkdtempSync(join(tmpdir(), "bench-admission-"));
chmodSync(root, 0o755); // PostgreSQL runs as the postgres user
const children: ChildProcess[] = [];

const startNode = async (name: string, env: Record<string, string>): Promise<string> =>
  (await startBenchNode({ root, jwtSecret, internalToken, children }, name, env)).url;

const percentile = (sorted: ReadonlyArray<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/** 200 launches of one generation at once over `urls`: what each answered, and how long all took. */
const race = async (urls: ReadonlyArray<string>, userId: string) => {
  const token = await signUserToken(jwtSecret, userId);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const created = await fetch(`${urls[0] as string}/api/generations`, { method: "POST", headers, body: JSON.stringify({ files: app }) });
  const { generationId } = await created.json() as { generationId: string };
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: launches }, async (_, i) => {
    const t0 = performance.now();
    const res = await fetch(`${urls[i % urls.length] as string}/api/generations/${generationId}/preview/launch`, { method: "POST", headers, body: "{}" });
    const body = await res.json() as { error?: { code: string } };
    return { status: res.status, code: body.error?.code, ms: performance.now() - t0 };
  }));
  const wallMs = performance.now() - started;
  await fetch(`${urls[0] as string}/api/generations/${generationId}/preview`, { method: "DELETE", headers });
  const admitted = answers.filter((a) => a.status === 202).length;
  const refused = answers.filter((a) => a.status === 409 && a.code === "preview_already_running").length;
  const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
  return { admitted, refused, other: launches - admitted - refused, wallMs, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
};

const line = (label: string, r: Awaited<ReturnType<typeof race>>) =>
  `${label} admission: ${launches} concurrent launches of one generation → ${r.admitted} admitted, ${r.refused} refused (preview_already_running), ${r.other} other ` +
  `[${r.admitted === 1 && r.other === 0 ? "correct" : "WRONG"}]; all answered in ${r.wallMs.toFixed(0)} ms (p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms)`;

let pg: Awaited<ReturnType<typeof startThrowawayPostgres>> | undefined;
let failed = false;
try {
  process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
  const single = await race([await startNode("single", {})], "bench-single");
  process.stdout.write(line("[single machine]", single) + "\n");

  pg = await startThrowawayPostgres(join(root, "pg"));
  const shared = { DATABASE_URL: pg.url, ORCHESTRATOR_GENERATIONS_DIR: join(root, "generations") };
  const nodes = [];
  for (const name of ["node-1", "node-2", "node-3"]) nodes.push(await startNode(name, shared));
  const cluster = await race(nodes, "bench-cluster");
  process.stdout.write(line("[cluster, 3 nodes]", cluster) + "\n");
  process.stdout.write(`cluster / single machine, time for all ${launches} answers: ${(cluster.wallMs / single.wallMs).toFixed(2)}\n`);
  failed = single.admitted !== 1 || single.other !== 0 || cluster.admitted !== 1 || cluster.other !== 0;
} finally {
  await Promise.all(children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  })));
  await pg?.stop();
  rmSync(root, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
