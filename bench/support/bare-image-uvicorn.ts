import { spawn } from "node:child_process";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { firstPollDelayMs, nextPollDelayMs } from "../../libs/runtime/readiness-backoff.ts";
import { acceptsConnections } from "../../libs/runtime/tcp-probe.ts";
import type { BareRun } from "./bare-uvicorn.ts";

/**
 * One bare start of the app in `dir` on the sandbox image's own Python (3.13, its FastAPI): bwrap
 * only mounts the image and the dir (no namespaces, limits, uid change, requirements step or
 * supervisor), so the sandbox runtime is compared with the same interpreter and packages.
 * Polled with the supervisor's backoff (5 ms doubling, capped at 25 ms).
 */
export const bareImageStart = async (imageRoot: string, dir: string): Promise<BareRun> => {
  const socket = join(dir, ".bare.sock");
  rmSync(socket, { force: true });
  const started = performance.now();
  const child = spawn("bwrap", [
    "--ro-bind", imageRoot, "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", dir, "/tmp/app",
    "--chdir", "/tmp/app", "--die-with-parent", "--clearenv",
    "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp/app", "--setenv", "LANG", "C.UTF-8",
    "--setenv", "PYTHONUNBUFFERED", "1", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
    "--", "/usr/bin/python3", "-m", "uvicorn", "main:app", "--uds", "/tmp/app/.bare.sock",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let uvicornLine = Number.NaN;
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    if (!Number.isNaN(uvicornLine)) return;
    stderr += chunk.toString("utf8");
    if (stderr.includes("Uvicorn running on")) uvicornLine = performance.now() - started;
  });
  const exited = once(child, "exit");
  try {
    for (let delay = firstPollDelayMs; ; delay = nextPollDelayMs(delay)) {
      if (await acceptsConnections({ kind: "unix", path: socket })) break;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`bare uvicorn in the image ended before accepting:\n${stderr}`);
      if (performance.now() - started > 20_000) throw new Error("bare uvicorn in the image did not accept within 20 s");
      await new Promise((r) => setTimeout(r, delay));
    }
    return { accepted: performance.now() - started, uvicornLine };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  }
};
