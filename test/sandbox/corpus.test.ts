// Seventeen generated-style projects (test/sandbox/corpus/*) end to end in the sandbox: each starts,
// its live route table (route 4) equals the one FastAPI reports when the app is imported directly
// in the image's Python, and two of its endpoints answer through the gateway's proxy.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EndpointsView } from "../../libs/extractor/endpoints-view.ts";
import { bootDir } from "../../libs/runtime/boot/boot-program.ts";
import { detectEntry, formatEntry } from "../../libs/runtime/entry.ts";
import { callApi } from "../support/api.ts";
import { previewPath, upload } from "../support/previews.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";
import { requireImage, sandboxSettings } from "./support.ts";

const corpusDir = new URL("./corpus/", import.meta.url).pathname;
interface Probe { readonly method: string; readonly path: string; readonly json?: unknown; readonly headers?: Record<string, string>; readonly status: number; readonly expect?: unknown }
const probes = JSON.parse(readFileSync(join(corpusDir, "probes.json"), "utf8")) as Record<string, ReadonlyArray<Probe>>;
// CORPUS_ONLY=name,name runs a part of the corpus (when working on one project).
const projects = Object.keys(probes).filter((p) => process.env.CORPUS_ONLY === undefined || process.env.CORPUS_ONLY.split(",").includes(p)).sort();
/** Previews at a time: enough to overlap the waits, few enough for a 2-core CI machine. */
const concurrency = 3;

const filesOf = (dir: string): Record<string, string> => {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return files;
};

/** FastAPI's own answer: the app imported by the image's python3 (in bwrap over the image), with the platform's database variables. */
const truthOf = async (root: string, name: string, files: Record<string, string>): Promise<string[]> => {
  const entry = detectEntry(Object.entries(files).map(([path, text]) => ({ path, text })));
  if (entry === undefined) throw new Error(`${name}: no entry`);
  const copy = mkdtempSync(join(tmpdir(), `truth-${name}-`));
  try {
    cpSync(join(corpusDir, name), copy, { recursive: true });
    const driver = Object.values(files).some((t) => t.includes("create_async_engine")) ? "sqlite+aiosqlite" : "sqlite";
    const url = `${driver}:///./.truth.db`;
    const { stdout } = await promisify(execFile)("bwrap", [
      "--ro-bind", root, "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
      "--bind", copy, "/tmp/app", "--ro-bind", join(bootDir, "fallbacks"), "/tmp/fallbacks",
      "--ro-bind", join(corpusDir, "fastapi_truth.py"), "/tmp/fastapi_truth.py", "--unshare-net", "--chdir", "/tmp/app",
      "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp", "--setenv", "PYTHONPATH", "/tmp/fallbacks",
      "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "DATABASE_URL", url, "--setenv", "SQLALCHEMY_DATABASE_URI", url,
      "/usr/bin/python3", "/tmp/fastapi_truth.py", formatEntry(entry),
    ], { timeout: 120_000 });
    return JSON.parse(stdout) as string[];
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
};

let platform: TestPlatform;
let imageRoot: string;
let wheelhouse: string;
beforeAll(async () => {
  imageRoot = requireImage()?.root ?? "";
  // No index, an empty wheelhouse: what the image lacks cannot be installed, as on an offline machine.
  wheelhouse = mkdtempSync(join(tmpdir(), "corpus-wheels-"));
  platform = await startTestPlatform({}, sandboxSettings({ PIP_INDEX_URL: "off", PIP_FIND_LINKS: wheelhouse, STARTUP_TIMEOUT_SECONDS: "120" }));
});
afterAll(async () => {
  await platform?.dispose();
  rmSync(wheelhouse, { recursive: true, force: true });
});

interface Outcome { readonly name: string; readonly live: string[]; readonly truth: string[]; readonly source: string; readonly answers: Array<{ status: number; body: unknown }>; readonly failure?: string }

const runOne = async (name: string): Promise<Outcome> => {
  const files = filesOf(join(corpusDir, name));
  const truth = await truthOf(imageRoot, name, files);
  const token = await platform.orchestrator.token(`corpus-${name}`);
  const generationId = await upload({ ...platform.orchestrator, url: platform.gateway }, token, files);
  const launched = await callApi(platform.gateway, "POST", `${previewPath(generationId)}/launch`, { token, json: { wait: true } });
  if (launched.status !== 200) return { name, live: [], truth, source: "none", answers: [], failure: JSON.stringify(launched.body) };
  try {
    const endpoints = await callApi<EndpointsView>(platform.gateway, "GET", `${previewPath(generationId)}/endpoints`, { token });
    const answers = [];
    for (const probe of probes[name] ?? []) {
      const res = await fetch(`${platform.gateway}/p/${String(launched.body.previewInstanceId)}${probe.path}`, {
        method: probe.method,
        headers: { "x-preview-token": String(launched.body.previewToken), ...(probe.json === undefined ? {} : { "content-type": "application/json" }), ...probe.headers },
        ...(probe.json === undefined ? {} : { body: JSON.stringify(probe.json) }),
      });
      const text = await res.text();
      answers.push({ status: res.status, body: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) as unknown : text });
    }
    return { name, truth, answers, source: endpoints.body.source, live: endpoints.body.endpoints.map((e) => `${e.method} ${e.path}`).sort() };
  } finally {
    await callApi(platform.gateway, "DELETE", previewPath(generationId), { token });
  }
};

describe("a corpus of generated-style projects in the sandbox", () => {
  it("each starts, lists exactly FastAPI's own route table as live, and answers two requests through the proxy", async () => {
    if (process.env.CORPUS_ONLY === undefined) expect(projects.length).toBeGreaterThanOrEqual(15);
    const queue = [...projects];
    const outcomes: Outcome[] = [];
    await Promise.all(Array.from({ length: concurrency }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) outcomes.push(await runOne(name));
    }));
    for (const o of outcomes.sort((a, b) => a.name.localeCompare(b.name))) {
      expect(o.failure ?? "", `${o.name} did not start`).toBe("");
      expect(o.source, o.name).toBe("live");
      expect(o.truth.length, o.name).toBeGreaterThanOrEqual(2);
      expect(o.live, o.name).toEqual(o.truth);
      const wanted = probes[o.name] ?? [];
      expect(o.answers.map((a) => a.status), o.name).toEqual(wanted.map((p) => p.status));
      wanted.forEach((p, i) => {
        const what = `${o.name} ${p.method} ${p.path}`;
        if (p.expect === undefined) return;
        if (typeof p.expect === "object" && p.expect !== null && !Array.isArray(p.expect)) expect(o.answers[i]?.body, what).toMatchObject(p.expect);
        else expect(o.answers[i]?.body, what).toEqual(p.expect);
      });
    }
  }, 900_000);
});
