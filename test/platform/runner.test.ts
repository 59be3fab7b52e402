import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import getPort from "get-port";
import { afterAll, describe, expect, it } from "vitest";
import { portHolder } from "../../scripts/runner/proc.ts";
import { eventually } from "../support/api.ts";
import { pidsUsingDataDir, processAlive } from "../support/processes.ts";
import { commandLine, parentPid } from "../support/service-processes.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * The runner (scripts/procfile.ts, what `npm start` runs) on a Procfile of the test's own; `wrapped`
 * puts a parent process between, as npm is under `npm start`.
 */
const runRunner = (procfile: string, env: Record<string, string> = {}, wrapped = false) => {
  const dataDir = mkdtempSync(join(tmpdir(), "runner-"));
  dirs.push(dataDir);
  const file = join(dataDir, "Procfile");
  writeFileSync(file, procfile);
  const runner = [process.execPath, "scripts/procfile.ts", file];
  // `; exit $?` keeps the shell as the runner's parent (dash would exec a lone last command).
  const child: ChildProcess = spawn(wrapped ? "/bin/sh" : runner[0] ?? "node", wrapped ? ["-c", `${runner.map((a) => `'${a}'`).join(" ")}; exit $?`] : runner.slice(1), {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => { output += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, dataDir, exited, output: () => output };
};

describe("the runner (npm start)", () => {
  it("restarts a dying service with a growing delay, then gives up after repeated quick failures, says so and stops the rest", async () => {
    const runner = runRunner("broken: echo starting; exit 3\nsteady: exec sleep 600\n");
    expect(await runner.exited).toBe(1);
    const out = runner.output();
    expect(out.match(/broken \| starting/g)).toHaveLength(5);
    for (const delay of ["0.5", "1.0", "2.0", "4.0"]) expect(out).toContain(`broken | restarting in ${delay} s`);
    expect(out).toContain("broken | failed 5 times in a row, each within 30 s of starting; giving up on it; stopping the platform");
    expect(out).toMatch(/steady \| exited \(SIGTERM\)/);
    expect(pidsUsingDataDir(runner.dataDir)).toEqual([]);
  }, 120_000);

  it("stops a stale instance of a service holding its port (left by an earlier run), then starts it", async () => {
    const port = await getPort();
    const dataDir = mkdtempSync(join(tmpdir(), "stale-"));
    dirs.push(dataDir);
    // A gateway whose runner is gone: started through a shell that exits at once, so it is re-parented.
    spawn("/bin/sh", ["-c", `'${process.execPath}' services/gateway/main.ts >/dev/null 2>&1 &`], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, GATEWAY_PORT: String(port) },
      stdio: "ignore",
    });
    const stale = await eventually(() => portHolder(port), 60_000, "the stale gateway to listen");
    expect(commandLine(stale)).toContain("services/gateway/main.ts");
    const runner = runRunner("gateway: exec scripts/run-service.sh gateway\n", { GATEWAY_PORT: String(port) });
    await eventually(() => (runner.output().includes(`port ${port} is held by a stale gateway from an earlier run (pid ${stale}); stopping it first`) ? true : undefined), 60_000, "the runner to find it");
    const fresh = await eventually(() => {
      const holder = portHolder(port);
      return holder !== undefined && holder !== stale ? holder : undefined;
    }, 60_000, "the new gateway on the port");
    expect(processAlive(stale)).toBe(false);
    expect(commandLine(fresh)).toContain("services/gateway/main.ts");
    runner.child.kill("SIGTERM");
    expect(await runner.exited).toBe(0);
  }, 180_000);

  it("refuses to start a service whose port another program holds, naming it, instead of a crash loop", async () => {
    const other = createServer((_req, res) => res.end("not ours"));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      const runner = runRunner("gateway: exec scripts/run-service.sh gateway\n", { GATEWAY_PORT: String(port) });
      expect(await runner.exited).toBe(1);
      expect(runner.output()).toContain(`gateway | cannot start: port ${port} is already in use by pid ${process.pid} (`);
      expect(runner.output()).toContain("stop it or choose another port with GATEWAY_PORT");
      expect(runner.output()).not.toContain("EADDRINUSE");
    } finally {
      other.close();
    }
  }, 60_000);

  it("stops every service when its parent (npm under `npm start`) is killed with -9", async () => {
    const runner = runRunner("steady: exec sleep 600\n", {}, true);
    const sleeper = await eventually(() => pidsUsingDataDir(runner.dataDir).find((p) => commandLine(p).startsWith("sleep 600")), 60_000, "the service to start");
    const inner = parentPid(sleeper);
    expect(inner).toBeDefined();
    expect(parentPid(inner ?? -1)).toBe(runner.child.pid);
    runner.child.kill("SIGKILL");
    await eventually(() => (pidsUsingDataDir(runner.dataDir).length === 0 ? true : undefined), 30_000, "the runner and its service to be gone");
  }, 90_000);
});
