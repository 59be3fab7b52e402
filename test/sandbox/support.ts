import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { findImage } from "../../libs/runtime/image/image-store.ts";
import { readRecipe } from "../../libs/runtime/image/recipe.ts";
import { callApi, eventually } from "../support/api.ts";
import { upload } from "../support/previews.ts";
import type { TestPlatform } from "../support/test-gateway.ts";

/** Where .ci/run and `npm run runtime:build` (with ORCHESTRATOR_RUNTIME_IMAGE_DIR) keep the image. */
export const imagesDir = process.env.ORCHESTRATOR_RUNTIME_IMAGE_DIR ?? "/var/cache/preview-platform/images";

/** The sandbox tests need the real image: without it they fail here, loudly, saying how to build it. */
export const requireImage = () => {
  const image = findImage(imagesDir, readRecipe());
  expect(image, `no sandbox image in ${imagesDir}: run ORCHESTRATOR_RUNTIME_IMAGE_DIR=${imagesDir} npm run runtime:build (as root)`).toBeDefined();
  return image;
};

/** Orchestrator settings for a sandboxed platform; no build on launch (the image must be there already). */
export const sandboxSettings = (extra: Record<string, string> = {}): Record<string, string> => ({
  RUNTIME: "sandbox",
  RUNTIME_IMAGE_DIR: imagesDir,
  RUNTIME_AUTO_BUILD: "false",
  // Cold unless a test asks for a warm pool (test/sandbox/warm-pool.test.ts, the isolation matrix).
  WARM_POOL_SIZE: "0",
  ...extra,
});

/** A wheel of a tiny pure-Python package, written with the host's python3 (zipfile only). */
export const buildWheelhouse = (dir: string, name: string, version: string, value: string): string => {
  mkdirSync(dir, { recursive: true });
  const script = `
import base64, hashlib, sys, zipfile
d, name, version, value = sys.argv[1:5]
info = f"{name}-{version}.dist-info"
files = {
  f"{name}/__init__.py": f"VALUE = {value!r}\\n__version__ = {version!r}\\n",
  f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
  f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
def digest(text):
  return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
record = "".join(f"{p},{digest(t)},{len(t.encode())}\\n" for p, t in files.items()) + f"{info}/RECORD,,\\n"
with zipfile.ZipFile(f"{d}/{name}-{version}-py3-none-any.whl", "w") as z:
  for p, t in files.items(): z.writestr(p, t)
  z.writestr(f"{info}/RECORD", record)
`;
  execFileSync("python3", ["-c", script, dir, name, version, value]);
  return join(dir, `${name}-${version}-py3-none-any.whl`);
};

/** Waits until the orchestrator's warm pool holds `size` ready slots, as /config reports it. */
export const warmPoolFull = async (baseUrl: string, token: string, generationId: string): Promise<{ size: number; ready: number }> =>
  eventually(async () => {
    const res = await callApi<{ warmPool?: { size: number; ready: number } }>(baseUrl, "GET", `/api/generations/${generationId}/preview/config`, { token });
    const pool = res.body.warmPool;
    return pool !== undefined && pool.ready === pool.size ? pool : undefined;
  }, 150_000, "the warm pool to fill"); // slots fill at a lower CPU priority than running previews

/** Processes started for warm slots under `dataDir` (their sandbox binds a dir of the pool's). */
export const warmSlotProcesses = (dataDir: string): ReadonlyArray<number> => {
  const marker = join(dataDir, "previews", ".warm");
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
};

/**
 * Launches a preview on a platform whose warm pool has `pool` slots: with a pool, it first waits
 * for the pool to fill (with `fillWith`'s generation, the files by default), so the launch takes a
 * slot; either way it proves which path ran from the preview's own "ready in" line.
 */
export const runPreviewOnPool = async (
  platform: TestPlatform,
  pool: number,
  userId: string,
  files: Record<string, string>,
  fillWith: Record<string, string> = files,
): ReturnType<TestPlatform["runPreview"]> => {
  if (pool > 0) {
    const token = await platform.orchestrator.token(userId);
    await warmPoolFull(platform.gateway, token, await upload({ ...platform.orchestrator, url: platform.gateway }, token, fillWith));
  }
  const p = await platform.runPreview(userId, files);
  const said = platform.orchestrator.logs(p.previewId).filter((l) => l.source === "system").map((l) => l.message);
  expect(said.some((l) => /^ready in \d+ ms \(warm\)$/.test(l)), `launched ${pool > 0 ? "warm" : "cold"}: ${said.join(" | ")}`).toBe(pool > 0);
  return p;
};
