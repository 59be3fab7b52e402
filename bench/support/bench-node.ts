import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import getPort from "get-port";

export interface BenchNodeSettings {
  /** Each node's DATA_DIR is `root/name`. */
  readonly root: string;
  readonly jwtSecret: string;
  readonly internalToken: string;
  /** Started nodes are added here, for the bench to stop on its way out. */
  readonly children: ChildProcess[];
}

/**
 * An orchestrator process as runner node `name` (host runtime, no warm pool, no logs service: its
 * lines wait in the bounded outbox), on a free port; resolves with its URL and pid once /healthz answers.
 */
export const startBenchNode = async (settings: BenchNodeSettings, name: string, env: Record<string, string>): Promise<{ readonly url: string; readonly pid: number }> => {
  const port = await getPort();
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", "services/orchestrator/main.ts"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DATA_DIR: join(settings.root, name),
      JWT_SECRET: settings.jwtSecret,
      INTERNAL_TOKEN: settings.internalToken,
      ORCHESTRATOR_PORT: String(port),
      ORCHESTRATOR_NODE_ID: name,
      ORCHESTRATOR_RUNTIME: "host",
      ORCHESTRATOR_WARM_POOL_SIZE: "0",
      ORCHESTRATOR_LOGS_URL: "http://127.0.0.1:9",
      ...env,
    },
    stdio: "ignore",
  });
  settings.children.push(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, pid: child.pid as number };
};
