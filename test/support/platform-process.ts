import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import getPort from "get-port";
import { eventually } from "./api.ts";
import { previewPortBlock } from "./port-blocks.ts";

export interface PlatformProcess {
  readonly gateway: string;
  readonly dataDir: string;
  /** The environment `npm start` got: ports moved out of the way, a fresh DATA_DIR. */
  readonly env: NodeJS.ProcessEnv;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly stop: () => Promise<number | null>;
}

export interface PlatformProcessOptions {
  /** Extra environment, e.g. `GATEWAY_JS_RUNTIME: "deno"` to run that service under Deno. */
  readonly env?: Record<string, string>;
  /** The npm script to run; `start` (the Procfile, split) unless given. */
  readonly script?: string;
  /** Reuse a DATA_DIR (a restart); a fresh one unless given. It is then the caller's to remove. */
  readonly dataDir?: string;
}

/** Runs exactly what the README tells a newcomer to run, `npm start`, on free ports. */
export const startPlatformProcess = async (options: PlatformProcessOptions = {}): Promise<PlatformProcess> => {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "platform-"));
  const [freePort, orchestratorPort, logsPort, extractorPort] = await Promise.all([getPort(), getPort(), getPort(), getPort()]);
  // A caller may choose the gateway's port (start:cluster takes a block of ports from it).
  const gatewayPort = options.env?.GATEWAY_PORT ?? String(freePort);
  const previews = previewPortBlock();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    GATEWAY_PORT: String(gatewayPort),
    ORCHESTRATOR_PORT: String(orchestratorPort),
    LOGS_PORT: String(logsPort),
    EXTRACTOR_PORT: String(extractorPort),
    ORCHESTRATOR_PORT_RANGE_FROM: String(previews.from),
    ORCHESTRATOR_PORT_RANGE_TO: String(previews.to),
    ORCHESTRATOR_RUNTIME: "host",
    ...options.env,
  };
  const child = spawn("npm", ["run", options.script ?? "start"], { env, stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  // 401s from the orchestrator and from the logs service: both are up behind the gateway.
  const answers = async (path: string) => (await fetch(gateway + path).catch(() => undefined))?.status === 401;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const code = await exited;
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    return code;
  };
  try {
    await eventually(async () => ((await answers("/api/generations/x")) && (await answers("/api/generations/x/preview/logs")) ? true : undefined), 90_000, "the platform to answer");
  } catch (error) {
    // A platform that never answered is stopped here: the caller never got a handle to stop it.
    await stop();
    throw error;
  }
  return {
    gateway,
    dataDir,
    env,
    process: child,
    exited,
    stop,
  };
};
