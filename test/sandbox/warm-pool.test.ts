import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descendantsOf } from "../../libs/runtime/process-tree.ts";
import { callApi, eventually } from "../support/api.ts";
import { previewPath, previewRow, upload } from "../support/previews.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";
import { requirementsProject } from "./fixtures.ts";
import { buildWheelhouse, requireImage, sandboxSettings, warmPoolFull, warmSlotProcesses } from "./support.ts";

const lines = (...l: string[]) => `${l.join("\n")}\n`;
/** Reports what a preview's interpreter sees: its pid, uid, environment and the files of its dir. */
const whoAmIApp = (marker: string): Record<string, string> => ({
  "main.py": lines(
    "import os, sys",
    "from fastapi import FastAPI",
    "app = FastAPI()",
    `MARKER = ${JSON.stringify(marker)}`,
    "",
    "@app.get('/who')",
    "def who():",
    "    return {'marker': MARKER, 'pid': os.getpid(), 'uid': os.getuid(), 'env': dict(os.environ), 'files': sorted(os.listdir('.')),",
    "            'cwd': os.getcwd(), 'argv': sys.argv, 'path': sys.path, 'prefix': sys.prefix, 'stdin': os.readlink('/proc/self/fd/0')}",
    "",
    "@app.post('/leave')",
    "def leave():",
    "    open('left-behind.txt', 'w').write(MARKER)",
    "    return {'ok': True}",
  ),
});

const poolSize = 2;
/** A process's niceness (field 19 of /proc/pid/stat). */
const niceOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[16]);
let platform: TestPlatform;
let wheelhouse: string;
let configGeneration: { token: string; generationId: string };
beforeAll(async () => {
  requireImage();
  wheelhouse = mkdtempSync(join(tmpdir(), "wheelhouse-"));
  chmodSync(wheelhouse, 0o755);
  buildWheelhouse(wheelhouse, "tinypkg", "0.1.0", "from the wheelhouse");
  platform = await startTestPlatform({}, sandboxSettings({ WARM_POOL_SIZE: String(poolSize), PIP_INDEX_URL: "off", PIP_FIND_LINKS: wheelhouse }));
  const token = await platform.orchestrator.token("pool-watcher");
  configGeneration = { token, generationId: await upload({ ...platform.orchestrator, url: platform.gateway }, token, whoAmIApp("config")) };
});
afterAll(async () => {
  await platform?.dispose();
  rmSync(wheelhouse, { recursive: true, force: true });
});

const poolFull = () => warmPoolFull(platform.gateway, configGeneration.token, configGeneration.generationId);
const who = async (p: { previewId: string; previewToken: string }) =>
  (await callApi<{ marker: string; pid: number; uid: number; env: Record<string, string>; files: string[]; cwd: string; argv: string[]; path: string[] }>(
    platform.gateway, "GET", `/p/${p.previewId}/who`, { headers: { "x-preview-token": p.previewToken } })).body;
const systemLines = (previewId: string) => platform.orchestrator.logs(previewId).filter((l) => l.source === "system").map((l) => l.message);
const stop = async (p: { token: string; generationId: string }) =>
  expect((await callApi(platform.gateway, "DELETE", previewPath(p.generationId), { token: p.token })).status).toBe(200);

describe("the warm pool", () => {
  it("fills to its size, says so in /config, and a launch takes a slot: the log says warm and the app serves", async () => {
    expect(await poolFull()).toEqual({ size: poolSize, ready: poolSize });
    const p = await platform.runPreview("warm-a", whoAmIApp("a"));
    const said = systemLines(p.previewId);
    expect(said).toContainEqual(expect.stringMatching(/^warm start: /));
    expect(said).toContainEqual(expect.stringMatching(/^ready in \d+ ms \(warm\)$/));
    const seen = await who(p);
    // The cold launch's command and environment, exactly (PWD is bwrap's, for the dir it starts in).
    expect(seen).toMatchObject({ marker: "a", cwd: "/tmp/app", files: expect.arrayContaining(["main.py"]) });
    expect(seen.argv[0]).toBe("/tmp/.boot/preview_boot.py");
    expect(Object.keys(seen.env).sort()).toEqual(["DATABASE_URL", "HOME", "LANG", "PATH", "PWD", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"]);
    expect(seen.env).toMatchObject({ DATABASE_URL: "sqlite:///./.preview.db", HOME: "/tmp/app", PATH: "/usr/bin:/bin" });
    // The slot's dir became the preview's work dir: its files and socket are where a cold launch's are.
    const row = previewRow(platform.orchestrator, p.previewId);
    expect(existsSync(join(row.work_dir, "main.py"))).toBe(true);
    expect(existsSync(join(row.work_dir, ".preview-socket/preview.sock"))).toBe(true);
    await stop(p);
  });

  it("refills in the background after a launch takes a slot", async () => {
    await poolFull();
    const p = await platform.runPreview("warm-refill", whoAmIApp("refill"));
    expect(systemLines(p.previewId)).toContainEqual(expect.stringMatching(/^warm start: /));
    expect(await poolFull()).toEqual({ size: poolSize, ready: poolSize });
    await stop(p);
  });

  it("never hands a slot to two previews: the next launch gets another process, uid and dir, with none of the last one's files", async () => {
    await poolFull();
    const first = await platform.runPreview("warm-b", whoAmIApp("first"));
    const firstSeen = await who(first);
    expect((await callApi(platform.gateway, "POST", `/p/${first.previewId}/leave`, { headers: { "x-preview-token": first.previewToken } })).status).toBe(200);
    const firstRow = previewRow(platform.orchestrator, first.previewId);
    await stop(first);
    // Its process tree is gone with it: the slot is not returned to the pool.
    expect(firstRow.pid).not.toBeNull();
    expect(existsSync(`/proc/${firstRow.pid}`)).toBe(false);
    expect(existsSync(firstRow.work_dir)).toBe(false);

    await poolFull();
    const second = await platform.runPreview("warm-c", whoAmIApp("second"));
    expect(systemLines(second.previewId)).toContainEqual(expect.stringMatching(/^warm start: /));
    const secondSeen = await who(second);
    expect(secondSeen.marker).toBe("second");
    expect(secondSeen.uid).not.toBe(firstSeen.uid);
    expect(previewRow(platform.orchestrator, second.previewId).pid).not.toBe(firstRow.pid);
    expect(secondSeen.files).not.toContain("left-behind.txt");
    await stop(second);
  });

  it("goes cold when the pool is empty, and says why", async () => {
    await poolFull();
    // Slots fill niced, behind running work; every process of each is.
    const slotTrees = warmSlotProcesses(platform.orchestrator.dataDir).flatMap((pid) => descendantsOf(pid));
    expect(slotTrees.length).toBeGreaterThan(0);
    expect(new Set(slotTrees.map(niceOf))).toEqual(new Set([10]));
    const launched = await Promise.all([0, 1, 2].map((i) => platform.runPreview(`drain-${i}`, whoAmIApp(`drain-${i}`))));
    const kinds = launched.map((p) => systemLines(p.previewId).find((l) => /^(warm|cold) start: /.test(l))?.split(":")[0]);
    expect(kinds.sort()).toEqual(["cold start", "warm start", "warm start"]);
    const cold = launched.find((p) => systemLines(p.previewId).some((l) => l.startsWith("cold start: the warm pool (2) is empty")));
    expect(cold).toBeDefined();
    // What the app sees is the same, warm or cold: only its pid-independent identity differs.
    const seen = await Promise.all(launched.map(async (p) => {
      const { marker, uid, argv, ...rest } = await who(p);
      expect(marker).toMatch(/^drain-/);
      expect(uid).toBeGreaterThanOrEqual(200_000);
      return { ...rest, argv: argv.map((a) => a.replace(p.previewId, "ID")) };
    }));
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    // Taken, a slot runs at a cold launch's niceness.
    for (const p of launched) {
      const tree = descendantsOf(previewRow(platform.orchestrator, p.previewId).pid ?? -1);
      expect(tree.length).toBeGreaterThanOrEqual(3);
      expect(new Set(tree.map(niceOf))).toEqual(new Set([0]));
    }
    await Promise.all(launched.map(stop));
  });

  it("gives the launch's own env to the app on a warm slot, as on a cold one", async () => {
    await poolFull();
    const token = await platform.orchestrator.token("warm-env");
    const generationId = await upload({ ...platform.orchestrator, url: platform.gateway }, token, whoAmIApp("env"));
    const res = await callApi<{ previewInstanceId: string; previewToken: string }>(platform.gateway, "POST", `${previewPath(generationId)}/launch`, {
      token, json: { wait: true, env: { GREETING: "from the launch", FEATURE_FLAG: "on" } },
    });
    expect(res.status).toBe(200);
    const p = { previewId: res.body.previewInstanceId, previewToken: res.body.previewToken, token, generationId };
    expect(systemLines(p.previewId)).toContainEqual(expect.stringMatching(/^warm start: /));
    expect((await who(p)).env).toMatchObject({ GREETING: "from the launch", FEATURE_FLAG: "on", HOME: "/tmp/app" });
    await stop(p);
  });

  it("serves a project whose requirements need a venv: the venv's package imports, the image's pydantic is kept", async () => {
    await poolFull();
    const p = await platform.runPreview("warm-req", requirementsProject("tinypkg==0.1.0\n"));
    expect(systemLines(p.previewId)).toContainEqual(expect.stringMatching(/^warm start: /));
    const tiny = await callApi(platform.gateway, "GET", `/p/${p.previewId}/tiny`, { headers: { "x-preview-token": p.previewToken } });
    expect(tiny.body).toMatchObject({ value: "from the wheelhouse", version: "0.1.0", pydantic: "2.10.6", from: expect.stringMatching(/^\/tmp\/venv\/lib\/python3.13\/site-packages\/tinypkg/) });
    await stop(p);
  });

  it("leaves no slot process and no slot dir behind when the orchestrator shuts down", async () => {
    await poolFull();
    const dataDir = platform.orchestrator.dataDir;
    expect(warmSlotProcesses(dataDir).length).toBeGreaterThanOrEqual(poolSize);
    await platform.orchestrator.shutdown();
    await eventually(() => (warmSlotProcesses(dataDir).length === 0 ? true : undefined), 20_000, "the slots to end");
    expect(existsSync(join(dataDir, "previews", ".warm")) ? readdirSync(join(dataDir, "previews", ".warm")) : []).toEqual([]);
  });
});
