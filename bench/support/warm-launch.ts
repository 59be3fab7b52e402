import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { callApi } from "../../test/support/api.ts";
import { startTestPlatform, type TestPlatform } from "../../test/support/test-gateway.ts";
import { processChildren, treeMemoryBytes } from "../../libs/runtime/process-tree.ts";
import type { BareRun } from "./bare-uvicorn.ts";
import { type Summary, summarize, table } from "./stats.ts";

const helloV = (version: number): Record<string, string> => ({
  "main.py": "from fastapi import FastAPI\nfrom version import VERSION\napp = FastAPI()\n\n@app.get('/hello')\ndef hello():\n    return {'message': 'hi', 'version': VERSION}\n",
  "version.py": `VERSION = ${version}\n`,
});

const settings = (imagesDir: string, pool: number) => ({
  RUNTIME: "sandbox", RUNTIME_IMAGE_DIR: imagesDir, RUNTIME_AUTO_BUILD: "false", WARM_POOL_SIZE: String(pool), STARTUP_TIMEOUT_SECONDS: "120",
});

interface Client {
  readonly platform: TestPlatform;
  readonly token: string;
  readonly generationId: string;
}

const client = async (platform: TestPlatform, files: Record<string, string>): Promise<Client> => {
  const token = await platform.orchestrator.token("bench-user");
  const res = await callApi<{ generationId: string }>(platform.gateway, "POST", "/api/generations", { token, json: { files } });
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { platform, token, generationId: res.body.generationId };
};

const prefix = (c: Client) => `/api/generations/${c.generationId}/preview`;

/** Until the warm pool holds its size in ready slots (not timed: a user's launch finds it so between launches). */
const poolFull = async (c: Client): Promise<void> => {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await callApi<{ warmPool: { size: number; ready: number } }>(c.platform.gateway, "GET", `${prefix(c)}/config`, { token: c.token });
    if (res.body.warmPool.ready === res.body.warmPool.size) return;
    if (Date.now() > deadline) throw new Error("the warm pool did not fill within 120 s");
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Polls the preview through the gateway until it answers 200 with `version` (the first answer a user gets). */
const first200 = async (c: Client, previewId: string, previewToken: string, version: number): Promise<void> => {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${c.platform.gateway}/p/${previewId}/hello`, { headers: { "x-preview-token": previewToken } });
    const body = await res.text();
    if (res.status === 200 && body.includes(`"version":${version}`)) return;
    if (Date.now() > deadline) throw new Error(`no 200 from the preview within 60 s (last ${res.status} ${body})`);
  }
};

/** launch call → first 200 through the gateway; the preview is stopped after (not timed). */
const timeLaunch = async (c: Client, expectWarm: boolean): Promise<number> => {
  const started = performance.now();
  const res = await callApi<{ previewInstanceId: string; previewToken: string }>(c.platform.gateway, "POST", `${prefix(c)}/launch`, { token: c.token, json: { wait: true } });
  if (res.status !== 200) throw new Error(`launch answered ${res.status}: ${JSON.stringify(res.body)}`);
  await first200(c, res.body.previewInstanceId, res.body.previewToken, 1);
  const ms = performance.now() - started;
  const warm = c.platform.orchestrator.logs(res.body.previewInstanceId).some((l) => l.source === "system" && l.message.startsWith("warm start:"));
  if (warm !== expectWarm) throw new Error(`expected a ${expectWarm ? "warm" : "cold"} launch, got the other`);
  const stop = await callApi(c.platform.gateway, "DELETE", prefix(c), { token: c.token });
  if (stop.status !== 200) throw new Error(`stop answered ${stop.status}`);
  return ms;
};

/** Memory (PSS, MB) of each idle slot's process tree (bwrap, setpriv, the waiting interpreter). */
const idleSlotMb = (dataDir: string): number[] => {
  const marker = join(dataDir, "previews", ".warm");
  const slots = new Set<number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").includes(marker)) slots.add(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  const children = processChildren();
  const isChildOfSlot = (pid: number) => [...slots].some((s) => (children.get(s) ?? []).includes(pid));
  return [...slots].filter((pid) => !isChildOfSlot(pid)).map((leader) => treeMemoryBytes(leader, children) / (1024 * 1024));
};

export interface WarmBenchResult {
  readonly warm: Summary;
  readonly cold: Summary;
  readonly bare: Summary;
  readonly reload: Summary;
  readonly slotMb: number;
}

/**
 * Warm against cold sandbox launches (launch call → first 200 through the gateway), a bare uvicorn
 * on the image's Python, and live reloads (reload call → first 200 of the new version), interleaved
 * in one run so machine load hits every series alike.
 */
export const benchWarm = async (options: {
  readonly imagesDir: string;
  readonly runs: number;
  readonly warmups: number;
  readonly bare: () => Promise<BareRun>;
  readonly interrupted: () => boolean;
}): Promise<WarmBenchResult> => {
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const warmPlatform = await startTestPlatform({}, settings(options.imagesDir, 1));
  const coldPlatform = await startTestPlatform({}, settings(options.imagesDir, 0));
  try {
    const w = await client(warmPlatform, helloV(1));
    const c = await client(coldPlatform, helloV(1));
    const r = await client(warmPlatform, helloV(1));
    const warm: number[] = [];
    const cold: number[] = [];
    const bare: number[] = [];
    const reload: number[] = [];
    let slotMb = Number.NaN;
    // One preview that is reloaded again and again (its version alternates).
    await poolFull(w);
    const running = await callApi<{ previewInstanceId: string; previewToken: string }>(warmPlatform.gateway, "POST", `${prefix(r)}/launch`, { token: r.token, json: { wait: true } });
    if (running.status !== 200) throw new Error(`launch answered ${running.status}: ${JSON.stringify(running.body)}`);
    for (let i = 0; i < options.warmups + options.runs; i++) {
      if (options.interrupted()) throw new Error("interrupted");
      await poolFull(w);
      if (i === options.warmups) slotMb = Math.max(...idleSlotMb(warmPlatform.orchestrator.dataDir));
      const wm = await timeLaunch(w, true);
      // The refill is done before the cold launch, so it does not slow the cold one down.
      await poolFull(w);
      const cm = await timeLaunch(c, false);
      const bm = (await options.bare()).accepted;
      await poolFull(w);
      const version = i + 2;
      const started = performance.now();
      const res = await callApi(warmPlatform.gateway, "POST", `${prefix(r)}/reload`, { token: r.token, json: { changes: { "version.py": `VERSION = ${version}\n` } } });
      if (res.status !== 200) throw new Error(`reload answered ${res.status}: ${JSON.stringify(res.body)}`);
      await first200(r, running.body.previewInstanceId, running.body.previewToken, version);
      const rm = performance.now() - started;
      if (i < options.warmups) continue;
      warm.push(wm);
      cold.push(cm);
      bare.push(bm);
      reload.push(rm);
    }
    const result = { warm: summarize(warm), cold: summarize(cold), bare: summarize(bare), reload: summarize(reload), slotMb };
    console.log(`\nwarm pool, same run: launch call → first 200 through the gateway (${options.runs} runs each after ${options.warmups} warm-ups, sandbox runtime)\n`);
    console.log(table([
      ["warm sandbox launch", result.warm],
      ["cold sandbox launch", result.cold],
      ["bare uvicorn on the image's Python", result.bare],
      ["live reload (call → first 200 of the new version)", result.reload],
    ]));
    // Every figure above stretches with the machine's load (other work on its cores): say what it was.
    console.log(`\nmachine load (1-minute average, ${cpus().length} cores): ${loadBefore.toFixed(2)} as the section began, ${(loadavg()[0] ?? Number.NaN).toFixed(2)} as it ended`);
    console.log(`warm p50 ${result.warm.p50.toFixed(1)} ms (target ≤ 60), warm ${(result.cold.p50 / result.warm.p50).toFixed(1)}× faster than cold (target ≥ 5), reload p50 ${result.reload.p50.toFixed(1)} ms (target ≤ 150), idle slot ${slotMb.toFixed(1)} MB (aim ≤ 60)`);
    return result;
  } finally {
    await warmPlatform.dispose();
    await coldPlatform.dispose();
  }
};
