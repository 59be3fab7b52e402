import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import getPort from "get-port";
import { freeClusterBase } from "../cluster/support/port-block.ts";
import { callApi, eventually } from "./api.ts";
import { helloApp } from "./fixture-apps.ts";
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

/**
 * Which deployment a test that asks for "the platform" gets: `npm start` (one machine), or with
 * PLATFORM_DEPLOYMENT=cluster (vitest's `cluster` project, vitest.config.ts) `npm run start:cluster`:
 * 3 runner nodes on a throwaway PostgreSQL and NATS, 2 logs replicas, 2 gateways (tests talk to the first).
 */
export type Deployment = "single" | "cluster";
export const deployment = (): Deployment => (process.env["PLATFORM_DEPLOYMENT"] === "cluster" ? "cluster" : "single");

export interface PlatformProcessOptions {
  /** Extra environment, e.g. `GATEWAY_JS_RUNTIME: "deno"` to run that service under Deno. */
  readonly env?: Record<string, string>;
  /** The npm script to run; `start` (the Procfile, split) unless given. */
  readonly script?: string;
  /** Reuse a DATA_DIR (a restart); a fresh one unless given. It is then the caller's to remove. */
  readonly dataDir?: string;
}

/** The script and environment of the deployment under test, for a caller that did not name a script. */
const deploymentDefaults = async (options: PlatformProcessOptions): Promise<{ readonly script: string; readonly env: Record<string, string> }> => {
  if (options.script !== undefined || deployment() === "single") return { script: options.script ?? "start", env: {} };
  // The cluster's ports are a block from GATEWAY_PORT (gateways, extractor, logs replicas, nodes).
  return { script: "start:cluster", env: { GATEWAY_PORT: String(await freeClusterBase()) } };
};

/**
 * On the cluster, a launch stays on the node the gateway calls when loads tie (no hop), so a test
 * with one preview would never cross nodes. A preview of another user on that node (node-1, which
 * the first gateway calls) first makes the test's launches go to node-2 and node-3: its API calls,
 * logs and proxied requests then cross from node to node, as the cluster is meant to carry them.
 */
const loadTheGatewaysNode = async (gateway: string, env: NodeJS.ProcessEnv): Promise<void> => {
  const token = execFileSync("npm", ["run", "--silent", "token", "--", "matrix-ballast"], { env }).toString().trim();
  const created = await callApi<{ generationId: string }>(gateway, "POST", "/api/generations", { token, json: { files: helloApp } });
  const launched = await callApi(gateway, "POST", `/api/generations/${created.body.generationId}/preview/launch`, { token, json: { wait: true } });
  const status = await callApi(gateway, "GET", `/api/generations/${created.body.generationId}/preview/status`, { token });
  if (launched.status !== 200 || status.body["node"] !== "node-1") {
    throw new Error(`the cluster's first preview did not run on node-1: ${JSON.stringify({ launched: launched.body, status: status.body })}`);
  }
};

/**
 * Reads the platform's output (every service's lines) as it comes: its tail says why a platform
 * never answered; PLATFORM_OUTPUT_DIR=dir also keeps all of it, as dir/<name>.log.
 */
const keepOutput = (child: ChildProcess, name: string): { readonly tail: () => string } => {
  const tailBytes = 16_384;
  const outputDir = process.env["PLATFORM_OUTPUT_DIR"];
  const file = outputDir === undefined || outputDir === "" ? undefined : createWriteStream(join(outputDir, `${name}.log`));
  let tail = "";
  const take = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-tailBytes);
    file?.write(chunk);
  };
  child.stdout?.on("data", take);
  child.stderr?.on("data", take);
  child.once("close", () => file?.end());
  return { tail: () => tail };
};

/** Runs exactly what the README tells a newcomer to run, `npm start`, on free ports. */
export const startPlatformProcess = async (options: PlatformProcessOptions = {}): Promise<PlatformProcess> => {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "platform-"));
  // A throwaway PostgreSQL (start:cluster) runs as the postgres user, which must get through DATA_DIR.
  if (options.dataDir === undefined) chmodSync(dataDir, 0o755);
  const defaults = await deploymentDefaults(options);
  const [freePort, orchestratorPort, logsPort, extractorPort] = await Promise.all([getPort(), getPort(), getPort(), getPort()]);
  // A caller may choose the gateway's port (start:cluster takes a block of ports from it).
  const gatewayPort = options.env?.GATEWAY_PORT ?? defaults.env.GATEWAY_PORT ?? String(freePort);
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
    ...defaults.env,
    ...options.env,
  };
  const child = spawn("npm", ["run", defaults.script], { env, stdio: ["ignore", "pipe", "pipe"] });
  const output = keepOutput(child, basename(dataDir));
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
  const gaveUp = exited.then((code) => Promise.reject(new Error(`npm run ${defaults.script} exited (${code}) before the platform answered`)));
  gaveUp.catch(() => {}); // only raced below
  try {
    // A bound on a hang: the cluster (PostgreSQL's initdb, then ten processes) answered after ~15 s
    // on this 2-core machine when quiet and ~46 s at a load of 15; a test file's hooks have 180 s.
    await Promise.race([
      eventually(async () => ((await answers("/api/generations/x")) && (await answers("/api/generations/x/preview/logs")) ? true : undefined), 120_000, "the platform to answer"),
      gaveUp,
    ]);
    if (defaults.script === "start:cluster" && options.script === undefined) await loadTheGatewaysNode(gateway, env);
  } catch (error) {
    // A platform that never answered is stopped here: the caller never got a handle to stop it.
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}. Its last output:\n${output.tail()}`, { cause: error });
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
