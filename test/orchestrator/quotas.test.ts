import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cgroupOf, detectCgroups } from "../../libs/runtime/cgroups.ts";
import { callApi, eventually } from "../support/api.ts";
import { spinRoute } from "../support/fixture-apps.ts";
import { launch, previewPath, previewRow, upload } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";

/** A preview that forks until it cannot, and one that spins on a CPU. */
const hostileApp = {
  "main.py": [
    "import os, time",
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
    "    return {'written': written, 'error': error, 'cwd': os.getcwd()}",
    "",
    "@app.get('/forkbomb')",
    "def forkbomb():",
    "    pids, error = [], None",
    "    try:",
    "        for _ in range(2000):",
    "            pid = os.fork()",
    "            if pid == 0:",
    "                time.sleep(300)",
    "                os._exit(0)",
    "            pids.append(pid)",
    "    except OSError as e:",
    "        error = f'{type(e).__name__}: {e}'",
    "    return {'forked': len(pids), 'error': error}",
    "",
    ...spinRoute,
  ].join("\n"),
};

const support = detectCgroups();
const maxProcesses = 24;
const diskMb = 16;
let o: TestOrchestrator;
let token: string;
beforeAll(async () => {
  // The host runtime runs previews as root here, which RLIMIT_NPROC does not hold: only the cgroup can.
  o = await startTestOrchestrator({ MAX_PROCESSES: String(maxProcesses), CPU_PERCENT: "20", DISK_MB: String(diskMb) });
  token = await o.token("alice");
});
afterAll(() => o?.dispose());

const running = async (files: Record<string, string>) => {
  const generationId = await upload(o, token, files);
  const launched = await launch(o, token, generationId, { wait: true });
  expect(launched.status, JSON.stringify(launched.body)).toBe(200);
  const previewId = launched.body.previewInstanceId as string;
  const row = previewRow(o, previewId);
  const group = cgroupOf(support, row.pid as number);
  if (group === undefined) throw new Error(`preview ${previewId} is in no cgroup of ours`);
  return { generationId, previewId, port: row.port as number, group };
};
const stat = (dir: string, file: string): Record<string, number> =>
  Object.fromEntries(readFileSync(join(dir, file), "utf8").trim().split("\n").map((l) => l.split(" ")).map(([k = "", v = "0"]) => [k, Number(v)]));
const dirWith = (dirs: ReadonlyArray<string>, file: string) => {
  const dir = dirs.find((d) => existsSync(join(d, file)));
  if (dir === undefined) throw new Error(`no ${file} in ${dirs.join(", ")}`);
  return dir;
};

const mountOf = (dir: string) =>
  readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")).find((f) => f[4] === dir);

describe("the per-preview disk quota", () => {
  it("a preview writing past its quota gets ENOSPC inside its own tmpfs; the host disk never sees the bytes; stop lets the mount go", async () => {
    const generationId = await upload(o, token, hostileApp);
    const config = await callApi(o.url, "GET", `${previewPath(generationId)}/config`, { token });
    expect((config.body.enforced as Record<string, string>).diskMb).toBe(`the work dir is a tmpfs of its own, size=${diskMb} MB`);
    const launched = await launch(o, token, generationId, { wait: true });
    expect(launched.status, JSON.stringify(launched.body)).toBe(200);
    const row = previewRow(o, launched.body.previewInstanceId as string);
    const mount = mountOf(row.work_dir);
    expect(mount?.slice(mount.indexOf("-") + 1, mount.indexOf("-") + 2)).toEqual(["tmpfs"]);

    const res = await fetch(`http://127.0.0.1:${row.port}/fill?mb=${diskMb * 3}`);
    const body = await res.json() as { written: number; error: string | null; cwd: string };
    expect(body.cwd).toBe(row.work_dir);
    expect(body.error).toBe("OSError: [Errno 28] No space left on device");
    expect(body.written).toBeLessThanOrEqual(diskMb * 1024 * 1024);
    // The file is on the preview's own filesystem, not the one DATA_DIR is on.
    const big = statSync(join(row.work_dir, "big.bin"));
    expect(big.dev).not.toBe(statSync(o.dataDir).dev);
    expect(big.size).toBeLessThanOrEqual(diskMb * 1024 * 1024);

    expect((await callApi(o.url, "DELETE", previewPath(generationId), { token })).status).toBe(200);
    expect(mountOf(row.work_dir)).toBeUndefined();
    expect(existsSync(row.work_dir)).toBe(false);
  });
});

describe.skipIf(support.kind === "none")(`per-preview cgroups (${support.kind} here)`, () => {
  it("empty groups left behind (their preview killed while no orchestrator ran) are swept; a group in use stays", async () => {
    const { createCgroup, inCgroup, removeStaleCgroups } = await import("../../libs/runtime/cgroups.ts");
    const { spawn } = await import("node:child_process");
    const left = createCgroup(support, { maxProcesses: 5, cpuPercent: 50 });
    const used = createCgroup(support, { maxProcesses: 5, cpuPercent: 50 });
    if (left === undefined || used === undefined) throw new Error("no group made");
    const { command, args } = inCgroup(used, "sleep", ["30"]);
    const sleeper = spawn(command, args, { stdio: "ignore" });
    await eventually(() => (used.procsFiles.every((f) => readFileSync(f, "utf8").trim() !== "") ? true : undefined), 10_000, "the sleeper in its groups");
    removeStaleCgroups(support, 0);
    for (const dir of left.dirs) expect(existsSync(dir)).toBe(false);
    for (const dir of used.dirs) expect(existsSync(dir)).toBe(true);
    sleeper.kill("SIGKILL");
    await new Promise((resolve) => sleeper.once("exit", resolve));
    await eventually(() => {
      removeStaleCgroups(support, 0);
      return used.dirs.every((d) => !existsSync(d)) ? true : undefined;
    }, 10_000, "the emptied group to go");
  });

  it("/config says the process count and the CPU share are enforced by cgroups", async () => {
    const generationId = await upload(o, token, hostileApp);
    const res = await callApi(o.url, "GET", `${previewPath(generationId)}/config`, { token });
    expect(res.body.limits).toMatchObject({ maxProcesses, cpuPercent: 20 });
    expect(res.body.enforced).toMatchObject({
      maxProcesses: `cgroup ${support.kind} pids.max for the whole preview`,
      cpuPercent: `cgroup ${support.kind} CPU quota for the whole preview`,
    });
  });

  it("a fork bomb hits the preview's pids.max (EAGAIN), the platform keeps serving, and stop takes every process and the group", async () => {
    const p = await running(hostileApp);
    const pidsDir = dirWith(p.group.dirs, "pids.max");
    expect(readFileSync(join(pidsDir, "pids.max"), "utf8").trim()).toBe(String(maxProcesses));
    const res = await fetch(`http://127.0.0.1:${p.port}/forkbomb`);
    const body = await res.json() as { forked: number; error: string | null };
    expect(body.error).toMatch(/^BlockingIOError: \[Errno 11\] Resource temporarily unavailable/);
    expect(body.forked).toBeLessThan(maxProcesses);
    // The kernel's own count of refused forks in that group.
    expect(stat(pidsDir, "pids.events").max).toBeGreaterThan(0);
    expect(Number(readFileSync(join(pidsDir, "pids.current"), "utf8"))).toBeLessThanOrEqual(maxProcesses);
    expect((await callApi(o.url, "GET", `${previewPath(p.generationId)}/status`, { token })).body.status).toBe("running");

    expect((await callApi(o.url, "DELETE", previewPath(p.generationId), { token })).status).toBe(200);
    for (const dir of p.group.dirs) expect(existsSync(dir)).toBe(false);
  });

  it("CPU spinners are held to the preview's share: the group's own CPU usage stays within its quota over the time they ran", async () => {
    const p = await running(hostileApp);
    // The group's CPU time as the kernel accounts it (v1: cpuacct.usage in ns; v2: cpu.stat usage_usec).
    const usageSeconds = () => {
      const v1 = p.group.dirs.find((d) => existsSync(join(d, "cpuacct.usage")));
      return v1 !== undefined ? Number(readFileSync(join(v1, "cpuacct.usage"), "utf8")) / 1e9 : (stat(dirWith(p.group.dirs, "cpu.stat"), "cpu.stat").usage_usec ?? 0) / 1e6;
    };
    const cpuDir = dirWith(p.group.dirs, "cpu.stat");
    const periodsBefore = stat(cpuDir, "cpu.stat").nr_periods ?? 0;
    const usedBefore = usageSeconds();
    const startedAt = performance.now();
    // Two processes spinning for 2 s want two CPUs; the quota gives the whole preview 20 % of one.
    const res = await fetch(`http://127.0.0.1:${p.port}/spin?seconds=2&processes=2`);
    expect(res.status).toBe(200);
    const wallSeconds = (performance.now() - startedAt) / 1000;
    const used = usageSeconds() - usedBefore;
    expect(used).toBeGreaterThan(0);
    // At most 20 ms of CPU per 100 ms period, plus a period of slack: a bound, not a timing guess.
    expect(used).toBeLessThanOrEqual(0.2 * wallSeconds + 0.1);
    expect(stat(cpuDir, "cpu.stat").nr_periods ?? 0).toBeGreaterThan(periodsBefore);
    expect((await callApi(o.url, "DELETE", previewPath(p.generationId), { token })).status).toBe(200);
  });
});
