import { type ChildProcessByStdio, spawn } from "node:child_process";
import { once } from "node:events";
import type { Readable } from "node:stream";
import getPort from "get-port";
import { firstPollDelayMs, nextPollDelayMs } from "../../libs/runtime/readiness-backoff.ts";
import type { Upstream } from "../../libs/runtime/contract.ts";
import { acceptsConnections } from "../../libs/runtime/tcp-probe.ts";

export interface BareRun {
  /** spawn → the port accepts, found by polling: the figure compared with the platform. */
  readonly accepted: number;
  /** spawn → uvicorn's "Uvicorn running on" line: when it was really up, free of the poll's backoff steps. */
  readonly uvicornLine: number;
}

/**
 * Times one spawned uvicorn: spawn → it accepts at `upstream` (polled with the supervisor's own
 * steps), and spawn → its "Uvicorn running on" line. The process is killed and reaped before returning.
 */
export const timeBareStart = async (child: ChildProcessByStdio<null, null, Readable>, started: number, upstream: Upstream): Promise<BareRun> => {
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
      if (await acceptsConnections(upstream)) break;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`bare uvicorn ended before accepting:\n${stderr}`);
      if (performance.now() - started > 20_000) throw new Error("bare uvicorn did not accept within 20 s");
      await new Promise((r) => setTimeout(r, delay));
    }
    return { accepted: performance.now() - started, uvicornLine };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  }
};

/** One bare start of the app in `dir` on the given Python. */
export const bareStart = async (python: string, dir: string): Promise<BareRun> => {
  const port = await getPort({ host: "127.0.0.1" });
  const started = performance.now();
  // Same interpreter flags the platform sets, so the comparison is of the platform, not of bytecode caching.
  const child = spawn(python, ["-m", "uvicorn", "main:app", "--host", "127.0.0.1", "--port", String(port)], {
    cwd: dir,
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8", PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  return timeBareStart(child, started, { kind: "tcp", host: "127.0.0.1", port });
};
