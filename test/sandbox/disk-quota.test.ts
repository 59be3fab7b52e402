import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { previewPath } from "../support/previews.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";
import { requireImage, runPreviewOnPool, sandboxSettings } from "./support.ts";

/** Writes `mb` MiB into its work dir (the sandbox's /tmp/app) until the disk says no. */
const fillerApp = (version: number) => ({
  "main.py": [
    "import os",
    "from fastapi import FastAPI",
    "app = FastAPI()",
    "",
    "@app.get('/fill')",
    "def fill(mb: int):",
    "    written, error = 0, None",
    "    try:",
    "        with open('big.bin', 'wb') as f:",
    "            for _ in range(mb):",
    "                f.write(b'x' * (1 << 20))",
    "                f.flush()",
    "                written += 1 << 20",
    "    except OSError as e:",
    "        error = f'{type(e).__name__}: {e}'",
    `    return {'written': written, 'error': error, 'cwd': os.getcwd(), 'version': ${version}}`,
    "",
  ].join("\n"),
});

const diskMb = 16;
const mib = 1024 * 1024;
const mountOf = (dir: string) =>
  readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")).find((f) => f[4] === dir);
const fsTypeOf = (dir: string) => {
  const mount = mountOf(dir);
  return mount?.[mount.indexOf("-") + 1];
};

// A cold launch moves its work dir onto a tmpfs; a warm slot's dir is one from its start, and the mount moves with it.
describe.each([{ launch: "cold", pool: 0 }, { launch: "warm", pool: 1 }])("the sandboxed preview's disk quota, $launch launch", (matrix) => {
  let platform: TestPlatform;
  beforeAll(async () => {
    requireImage();
    platform = await startTestPlatform({}, sandboxSettings({ DISK_MB: String(diskMb), WARM_POOL_SIZE: String(matrix.pool) }));
  });
  afterAll(() => platform?.dispose());

  it("writing past it gets ENOSPC inside the preview's own tmpfs, the host disk never sees the bytes; a reloaded version has its own; stop lets every mount go", async () => {
    const p = await runPreviewOnPool(platform, matrix.pool, "filler", fillerApp(1), fillerApp(0));
    const config = await callApi(platform.gateway, "GET", `${previewPath(p.generationId)}/config`, { token: p.token });
    expect((config.body.enforced as Record<string, string>).diskMb).toBe(`the work dir is a tmpfs of its own, size=${diskMb} MB`);

    const workDirOf = () => platform.orchestrator.query<{ work_dir: string }>("select work_dir from previews where id = ?", p.previewId)[0]?.work_dir ?? "";
    const fill = async () => {
      const res = await callApi<{ written: number; error: string | null; cwd: string; version: number }>(
        platform.gateway, "GET", `/p/${p.previewId}/fill?mb=${diskMb * 3}`, { headers: { "x-preview-token": p.previewToken } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const first = workDirOf();
    expect(fsTypeOf(first)).toBe("tmpfs");
    const body = await fill();
    expect(body).toMatchObject({ error: "OSError: [Errno 28] No space left on device", cwd: "/tmp/app", version: 1 });
    expect(body.written).toBeLessThanOrEqual(diskMb * mib);
    const big = statSync(join(first, "big.bin"));
    expect(big.dev).not.toBe(statSync(platform.orchestrator.dataDir).dev);
    expect(big.size).toBeLessThanOrEqual(diskMb * mib);

    // The new version runs in a dir of its own, on a quota of its own, and serves at the same address.
    const reloaded = await callApi(platform.gateway, "POST", `${previewPath(p.generationId)}/reload`, { token: p.token, json: { files: fillerApp(2) } });
    expect(reloaded.status, JSON.stringify(reloaded.body)).toBe(200);
    const second = workDirOf();
    expect(second).not.toBe(first);
    expect(fsTypeOf(second)).toBe("tmpfs");
    const again = await fill();
    expect(again).toMatchObject({ error: "OSError: [Errno 28] No space left on device", version: 2 });

    expect((await callApi(platform.gateway, "DELETE", previewPath(p.generationId), { token: p.token })).status).toBe(200);
    await eventually(() => (mountOf(first) === undefined && mountOf(second) === undefined ? true : undefined), 10_000, "the quota mounts to go");
    expect(existsSync(first)).toBe(false);
    expect(existsSync(second)).toBe(false);
  });
});
