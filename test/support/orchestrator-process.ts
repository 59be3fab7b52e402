import { type ChildProcess, spawn } from "node:child_process";
import getPort from "get-port";
import { eventually } from "./api.ts";
import { previewPortBlock } from "./port-blocks.ts";
import { idleInEventLoop } from "./processes.ts";
import { testInternalToken, testJwtSecret } from "./test-orchestrator.ts";

export interface OrchestratorProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGKILL to the orchestrator's whole process group, as in a crash. */
  readonly crash: () => Promise<void>;
  /**
   * The same crash, landing between two reads of the preview's output, not inside one: a kill
   * between a read and the ledger's note of it loses that read's lines uncounted
   * (libs/logs/delivery-ledger.ts), a window a loaded machine can stretch to milliseconds. The
   * preview (its process group) holds still until the orchestrator waits in its event loop with
   * every line it read noted, and goes on printing once the orchestrator is dead.
   */
  readonly crashBetweenReads: (previewPid: number) => Promise<void>;
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
  const crash = async () => {
    process.kill(-(child.pid as number), "SIGKILL");
    await exited;
  };
  return {
    url,
    child,
    crash,
    crashBetweenReads: async (previewPid) => {
      process.kill(-previewPid, "SIGSTOP");
      try {
        await eventually(() => (idleInEventLoop(child.pid as number) ? true : undefined), 30_000, "the orchestrator to read all the preview printed");
        await crash();
      } finally {
        process.kill(-previewPid, "SIGCONT");
      }
    },
  };
};
