import { spawn } from "node:child_process";
import { once } from "node:events";
import getPort from "get-port";
import { firstPollDelayMs, nextPollDelayMs } from "../../libs/runtime/readiness-backoff.ts";
import { acceptsConnections } from "../../libs/runtime/tcp-probe.ts";

/** Polls with the orchestrator's own backoff (libs/runtime/readiness-backoff.ts) and probe. */
export const untilAccepting = async (port: number, timeoutMs = 20_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  for (let delay = firstPollDelayMs; ; delay = nextPollDelayMs(delay)) {
    if (await acceptsConnections({ kind: "tcp", host: "127.0.0.1", port })) return;
    if (performance.now() > deadline) throw new Error(`uvicorn on port ${port} did not accept within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, delay));
  }
};

export interface BareRun {
  /** spawn → the port accepts, found by polling: the figure compared with the platform. */
  readonly accepted: number;
  /** spawn → uvicorn's "Uvicorn running on" line: when it was really up, free of the poll's backoff steps. */
  readonly uvicornLine: number;
}

/** One bare start of the app in `dir`. The process is killed and reaped before returning. */
export const bareStart = async (python: string, dir: string): Promise<BareRun> => {
  const port = await getPort({ host: "127.0.0.1" });
  const started = performance.now();
  // Same interpreter flags the platform sets, so the comparison is of the platform, not of bytecode caching.
  const child = spawn(python, ["-m", "uvicorn", "main:app", "--host", "127.0.0.1", "--port", String(port)], {
    cwd: dir,
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8", PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let uvicornLine = Number.NaN;
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    if (!Number.isNaN(uvicornLine)) return;
    stderr += chunk.toString("utf8");
    if (stderr.includes("Uvicorn running on")) uvicornLine = performance.now() - started;
  });
  const exited = once(child, "exit");
  const diedEarly = exited.then(([code, signal]) => { throw new Error(`bare uvicorn ended (${String(code ?? signal)}) before accepting`); });
  diedEarly.catch(() => {}); // it also settles after our own kill below, when nobody is listening any more
  try {
    await Promise.race([untilAccepting(port), diedEarly]);
    return { accepted: performance.now() - started, uvicornLine };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  }
};
