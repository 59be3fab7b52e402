import { type ChildProcess, spawn } from "node:child_process";
import getPort from "get-port";
import { eventually } from "./api.ts";
import { previewPortBlock } from "./port-blocks.ts";
import { testInternalToken, testJwtSecret } from "./test-orchestrator.ts";

export interface OrchestratorProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGKILL to the orchestrator's whole process group, as in a crash. */
  readonly crash: () => Promise<void>;
}

/** Runs services/orchestrator/main.ts as its own process, as `npm start` does. */
export const spawnOrchestrator = async (dataDir: string, env: Record<string, string> = {}, fixedPort?: number): Promise<OrchestratorProcess> => {
  const port = fixedPort ?? await getPort();
  const previews = previewPortBlock();
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", "services/orchestrator/main.ts"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DATA_DIR: dataDir,
      JWT_SECRET: testJwtSecret,
      INTERNAL_TOKEN: testInternalToken,
      ORCHESTRATOR_PORT: String(port),
      ORCHESTRATOR_PORT_RANGE_FROM: String(previews.from),
      ORCHESTRATOR_PORT_RANGE_TO: String(previews.to),
      ...env,
    },
    stdio: "ignore",
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok ? true : undefined), 30_000, "orchestrator process");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    child,
    crash: async () => {
      process.kill(-(child.pid as number), "SIGKILL");
      await exited;
    },
  };
};
