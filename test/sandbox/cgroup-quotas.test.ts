import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cgroupOf, detectCgroups } from "../../libs/runtime/cgroups.ts";
import { callApi } from "../support/api.ts";
import { spinRoute } from "../support/fixture-apps.ts";
import { previewPath } from "../support/previews.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";
import { requireImage, runPreviewOnPool, sandboxSettings } from "./support.ts";

/** Spins `processes` processes on a CPU for `seconds`. */
const spinApp = {
  "main.py": [
    "import os, time",
    "from fastapi import FastAPI",
    "app = FastAPI()",
    "",
    ...spinRoute,
  ].join("\n"),
};

const support = detectCgroups();
const stat = (dir: string, file: string): Record<string, number> =>
  Object.fromEntries(readFileSync(join(dir, file), "utf8").trim().split("\n").map((l) => l.split(" ")).map(([k = "", v = "0"]) => [k, Number(v)]));

// The sandbox's processes (a warm slot's too, from its start) are in the preview's own groups, like the host runtime's.
describe.skipIf(support.kind === "none").each([{ launch: "cold", pool: 0 }, { launch: "warm", pool: 1 }])("the sandboxed preview's CPU share, $launch launch", (matrix) => {
  let platform: TestPlatform;
  beforeAll(async () => {
    requireImage();
    platform = await startTestPlatform({}, sandboxSettings({ CPU_PERCENT: "20", WARM_POOL_SIZE: String(matrix.pool) }));
  });
  afterAll(() => platform?.dispose());

  it("spinners inside the sandbox are held to it: the group's CPU time stays within the quota over the time they ran; stop removes the group", async () => {
    const p = await runPreviewOnPool(platform, matrix.pool, "spinner", spinApp);
    const [row] = platform.orchestrator.query<{ pid: number }>("select pid from previews where id = ?", p.previewId);
    const group = cgroupOf(support, row?.pid ?? -1);
    if (group === undefined) throw new Error(`preview ${p.previewId} is in no cgroup of ours`);
    const usageSeconds = () => {
      const v1 = group.dirs.find((d) => existsSync(join(d, "cpuacct.usage")));
      const v2 = group.dirs.find((d) => existsSync(join(d, "cpu.stat")));
      return v1 !== undefined ? Number(readFileSync(join(v1, "cpuacct.usage"), "utf8")) / 1e9 : (stat(v2 ?? "", "cpu.stat").usage_usec ?? 0) / 1e6;
    };
    const usedBefore = usageSeconds();
    const startedAt = performance.now();
    // Two processes spinning for 2 s want two CPUs; the quota gives the whole preview 20 % of one.
    const res = await callApi(platform.gateway, "GET", `/p/${p.previewId}/spin?seconds=2&processes=2`, { headers: { "x-preview-token": p.previewToken } });
    expect(res.status).toBe(200);
    const wallSeconds = (performance.now() - startedAt) / 1000;
    const used = usageSeconds() - usedBefore;
    expect(used).toBeGreaterThan(0);
    // At most 20 ms of CPU per 100 ms period, plus a period of slack: a bound, not a timing guess.
    expect(used).toBeLessThanOrEqual(0.2 * wallSeconds + 0.1);

    expect((await callApi(platform.gateway, "DELETE", previewPath(p.generationId), { token: p.token })).status).toBe(200);
    for (const dir of group.dirs) expect(existsSync(dir)).toBe(false);
  });
});
