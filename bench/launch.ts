/**
 * Launch latency: the platform (launch call → `running`) against a bare `python3 -m uvicorn` start of
 * the same app, polled the same way, interleaved in one run. Usage: tsx bench/launch.ts [--runs N]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { callApi } from "../test/support/api.ts";
import { helloApp } from "../test/support/fixture-apps.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../test/support/test-orchestrator.ts";
import { type BareRun, bareStart } from "./support/bare-uvicorn.ts";
import { summarize, table } from "./support/stats.ts";

const target = 1.15;
const warmups = 2;
const python = "/usr/bin/python3";
const { values } = parseArgs({ options: { runs: { type: "string", default: "20" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => { interrupted = true; });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timestampOf = (line: { readonly timestamp: string } | undefined) => (line === undefined ? Number.NaN : Date.parse(line.timestamp));

interface PlatformRun { readonly total: number; readonly readyIn: number; readonly toUvicornLine: number }

const platform = (o: TestOrchestrator, token: string, generationId: string) => {
  const prefix = `/api/generations/${generationId}/preview`;
  const stop = async () => {
    const res = await callApi(o.url, "DELETE", prefix, { token });
    if (res.status !== 200) throw new Error(`DELETE answered ${res.status}: ${JSON.stringify(res.body)}`);
  };
  /** The orchestrator's own view of the launch, from the system and uvicorn lines it captured. */
  const phases = (previewId: string, total: number): PlatformRun => {
    const lines = o.logs(previewId);
    const ready = lines.find((l) => l.source === "system" && /^ready in \d+ ms$/.test(l.message));
    if (ready === undefined) throw new Error(`no "ready in" line for ${previewId}`);
    const launching = lines.find((l) => l.source === "system" && l.message.startsWith("launching"));
    const uvicornUp = lines.find((l) => l.message.includes("Uvicorn running on"));
    return { total, readyIn: Number(ready.message.split(" ")[2]), toUvicornLine: timestampOf(uvicornUp) - timestampOf(launching) };
  };
  return {
    /** `wait: true`: the call itself answers once the preview is running. */
    waited: async (): Promise<PlatformRun> => {
      const started = performance.now();
      const res = await callApi<{ status?: string; previewInstanceId?: string }>(o.url, "POST", `${prefix}/launch`, { token, json: { wait: true } });
      const total = performance.now() - started;
      if (res.status !== 200 || res.body.status !== "running" || res.body.previewInstanceId === undefined) {
        throw new Error(`launch answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
      const run = phases(res.body.previewInstanceId, total);
      await stop();
      return run;
    },
    /** Without wait, polling /status with the supervisor's backoff, as a client without `wait` would. */
    polled: async (): Promise<number> => {
      const started = performance.now();
      const res = await callApi(o.url, "POST", `${prefix}/launch`, { token, json: {} });
      if (res.status !== 202) throw new Error(`launch answered ${res.status}: ${JSON.stringify(res.body)}`);
      for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
        const status = await callApi<{ status?: string }>(o.url, "GET", `${prefix}/status`, { token });
        if (status.body.status === "running") break;
        if (status.body.status !== "launching") throw new Error(`preview ended as ${JSON.stringify(status.body)}`);
        await sleep(delay);
      }
      const total = performance.now() - started;
      await stop();
      return total;
    },
  };
};

const main = async () => {
  const bareDir = mkdtempSync(join(tmpdir(), "bench-bare-"));
  let o: TestOrchestrator | undefined;
  try {
    for (const [path, text] of Object.entries(helloApp)) writeFileSync(join(bareDir, path), text);
    o = await startTestOrchestrator();
    const token = await o.token("bench-user");
    const upload = await callApi<{ generationId: string }>(o.url, "POST", "/api/generations", { token, json: { files: helloApp } });
    if (upload.status !== 201) throw new Error(`upload answered ${upload.status}: ${JSON.stringify(upload.body)}`);
    const p = platform(o, token, upload.body.generationId);

    const waited: PlatformRun[] = [];
    const polled: number[] = [];
    const bare: BareRun[] = [];
    for (let i = 0; i < warmups + runs; i++) {
      if (interrupted) throw new Error("interrupted");
      // Interleaved, so drift in machine load hits every series alike.
      const [w, b, q] = [await p.waited(), await bareStart(python, bareDir), await p.polled()];
      if (i < warmups) continue;
      waited.push(w);
      bare.push(b);
      polled.push(q);
    }

    const platformSummary = summarize(waited.map((r) => r.total));
    const bareSummary = summarize(bare.map((r) => r.accepted));
    console.log(`launch → running, ${runs} runs each after ${warmups} warm-ups (hello app, ${python})\n`);
    console.log(table([
      ["platform (wait: true)", platformSummary],
      ["platform (poll /status)", summarize(polled)],
      ["bare uvicorn", bareSummary],
    ]));
    const p50Ratio = platformSummary.p50 / bareSummary.p50;
    const p95Ratio = platformSummary.p95 / bareSummary.p95;
    console.log(`\nratio p50 ${p50Ratio.toFixed(3)}, p95 ${p95Ratio.toFixed(3)}; target ≤ ${target}: ${p50Ratio <= target && p95Ratio <= target ? "met" : "not met"}`);
    // Polling quantizes both series onto the same backoff steps; uvicorn's own "running" line shows the gap underneath.
    console.log("\nwhere the platform's time goes (wait: true runs):");
    console.log(table([
      ["launch call → supervisor starts", summarize(waited.map((r) => r.total - r.readyIn))],
      ["supervisor \"ready in\"", summarize(waited.map((r) => r.readyIn))],
      ["  → \"Uvicorn running\" line", summarize(waited.map((r) => r.toUvicornLine))],
      ["  poll lag after that line", summarize(waited.map((r) => r.readyIn - r.toUvicornLine))],
      ["platform call → \"Uvicorn running\"", summarize(waited.map((r) => r.total - r.readyIn + r.toUvicornLine))],
      ["bare spawn → \"Uvicorn running\"", summarize(bare.map((r) => r.uvicornLine))],
      ["bare poll lag after that line", summarize(bare.map((r) => r.accepted - r.uvicornLine))],
    ]));
  } finally {
    await o?.dispose();
    rmSync(bareDir, { recursive: true, force: true });
  }
};

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exitCode = 1;
});
