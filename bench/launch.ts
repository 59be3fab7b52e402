/**
 * Launch latency: the platform (launch call → `running`) against a bare `python3 -m uvicorn` start of
 * the same app, polled the same way, interleaved in one run. Usage: node bench/launch.ts [--runs N]
 * With the sandbox image built, the sandbox runtime is measured in the same run against a bare start
 * of uvicorn on the image's own Python (bench/support/bare-image-uvicorn.ts), and then warm launches
 * against cold ones and live reloads (bench/support/warm-launch.ts); the last line is one summary.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { callApi } from "../test/support/api.ts";
import { helloApp } from "../test/support/fixture-apps.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../test/support/test-orchestrator.ts";
import { findImage } from "../libs/runtime/image/image-store.ts";
import { readRecipe } from "../libs/runtime/image/recipe.ts";
import { bareImageStart } from "./support/bare-image-uvicorn.ts";
import { type BareRun, bareStart } from "./support/bare-uvicorn.ts";
import { summarize, table } from "./support/stats.ts";
import { benchWarm } from "./support/warm-launch.ts";
import { firstPollDelayMs, nextPollDelayMs } from "../libs/runtime/readiness-backoff.ts";

const target = 1.15;
const sandboxTarget = 1.1;
const imagesDir = process.env.ORCHESTRATOR_RUNTIME_IMAGE_DIR ?? "/var/cache/preview-platform/images";
const image = findImage(imagesDir, readRecipe());
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
      for (let delay = firstPollDelayMs; ; delay = nextPollDelayMs(delay)) {
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
  let sandboxed: TestOrchestrator | undefined;
  try {
    for (const [path, text] of Object.entries(helloApp)) writeFileSync(join(bareDir, path), text);
    // A loaded machine must slow the figures down, not fail the run.
    o = await startTestOrchestrator({ STARTUP_TIMEOUT_SECONDS: "120" });
    const token = await o.token("bench-user");
    const upload = await callApi<{ generationId: string }>(o.url, "POST", "/api/generations", { token, json: { files: helloApp } });
    if (upload.status !== 201) throw new Error(`upload answered ${upload.status}: ${JSON.stringify(upload.body)}`);
    const p = platform(o, token, upload.body.generationId);
    if (image === undefined) console.log(`no sandbox image in ${imagesDir} (npm run runtime:build): the sandbox is not measured\n`);
    // Cold here (the warm pool has its own section below), so these figures compare with earlier runs.
    else sandboxed = await startTestOrchestrator({ RUNTIME: "sandbox", RUNTIME_IMAGE_DIR: imagesDir, RUNTIME_AUTO_BUILD: "false", WARM_POOL_SIZE: "0", STARTUP_TIMEOUT_SECONDS: "120" });
    const sandboxUpload = sandboxed === undefined ? undefined
      : await callApi<{ generationId: string }>(sandboxed.url, "POST", "/api/generations", { token: await sandboxed.token("bench-user"), json: { files: helloApp } });
    const sp = sandboxed === undefined || sandboxUpload === undefined ? undefined
      : platform(sandboxed, await sandboxed.token("bench-user"), sandboxUpload.body.generationId);
    const sandboxWaited: PlatformRun[] = [];
    const bareInImage: BareRun[] = [];

    const waited: PlatformRun[] = [];
    const polled: number[] = [];
    const bare: BareRun[] = [];
    for (let i = 0; i < warmups + runs; i++) {
      if (interrupted) throw new Error("interrupted");
      // Interleaved, so drift in machine load hits every series alike.
      const [w, b, q] = [await p.waited(), await bareStart(python, bareDir), await p.polled()];
      const [sw, sb] = sp === undefined || image === undefined ? [undefined, undefined] : [await sp.waited(), await bareImageStart(image.root, bareDir)];
      if (i < warmups) continue;
      if (sw !== undefined && sb !== undefined) {
        sandboxWaited.push(sw);
        bareInImage.push(sb);
      }
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
    if (sandboxWaited.length > 0) {
      const sandboxSummary = summarize(sandboxWaited.map((r) => r.total));
      const bareImageSummary = summarize(bareInImage.map((r) => r.accepted));
      console.log(`\nsandbox runtime, same run (hello app, the image's Python ${image?.python ?? "?"})\n`);
      console.log(table([
        ["sandbox platform (wait: true)", sandboxSummary],
        ["bare uvicorn on the image's Python", bareImageSummary],
        ["host platform (wait: true)", platformSummary],
        ["bare uvicorn on the host's Python", bareSummary],
        ["sandbox \"ready in\"", summarize(sandboxWaited.map((r) => r.readyIn))],
        ["sandbox → \"Uvicorn running\" line", summarize(sandboxWaited.map((r) => r.toUvicornLine))],
      ]));
      const sp50 = sandboxSummary.p50 / bareImageSummary.p50;
      const sp95 = sandboxSummary.p95 / bareImageSummary.p95;
      console.log(`\nsandbox / bare (image's Python): p50 ${sp50.toFixed(3)}, p95 ${sp95.toFixed(3)}; target ≤ ${sandboxTarget}: ${sp50 <= sandboxTarget && sp95 <= sandboxTarget ? "met" : "not met"}`);
      console.log(`sandbox / host platform: p50 ${(sandboxSummary.p50 / platformSummary.p50).toFixed(3)}, p95 ${(sandboxSummary.p95 / platformSummary.p95).toFixed(3)}`);
      console.log(`sandbox / bare (host's Python): p50 ${(sandboxSummary.p50 / bareSummary.p50).toFixed(3)}, p95 ${(sandboxSummary.p95 / bareSummary.p95).toFixed(3)}`);
    }
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
    await o.dispose();
    o = undefined;
    await sandboxed?.dispose();
    sandboxed = undefined;
    if (image !== undefined) {
      const root = image.root;
      const w = await benchWarm({ imagesDir, runs, warmups, bare: () => bareImageStart(root, bareDir), interrupted: () => interrupted });
      const f = (v: number) => v.toFixed(1);
      console.log(`\nsummary: warm_p50_ms=${f(w.warm.p50)} warm_p95_ms=${f(w.warm.p95)} cold_p50_ms=${f(w.cold.p50)} warm_speedup=${f(w.cold.p50 / w.warm.p50)} reload_p50_ms=${f(w.reload.p50)} slot_mb=${f(w.slotMb)}`);
    }
  } finally {
    await o?.dispose();
    await sandboxed?.dispose();
    rmSync(bareDir, { recursive: true, force: true });
  }
};

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exitCode = 1;
});
