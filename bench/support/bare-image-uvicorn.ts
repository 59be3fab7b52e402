import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { type BareRun, timeBareStart } from "./bare-uvicorn.ts";

/**
 * One bare start of the app in `dir` on the sandbox image's own Python (3.13, its FastAPI): bwrap
 * only mounts the image and the dir (no namespaces, limits, uid change, requirements step or
 * supervisor), so the sandbox runtime is compared with the same interpreter and packages.
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
  return timeBareStart(child, started, { kind: "unix", path: socket });
};
