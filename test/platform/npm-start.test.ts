import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import getPort from "get-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { pidsMatching, pidsUsingDataDir } from "../support/processes.ts";

const run = promisify(execFile);

let dataDir: string;
let platform: ChildProcess;
let gateway: string;
let env: NodeJS.ProcessEnv;
let exited: Promise<number | null>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "npm-start-"));
  const [gatewayPort, orchestratorPort, logsPort, extractorPort] = await Promise.all([getPort(), getPort(), getPort(), getPort()]);
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    GATEWAY_PORT: String(gatewayPort),
    ORCHESTRATOR_PORT: String(orchestratorPort),
    LOGS_PORT: String(logsPort),
    EXTRACTOR_PORT: String(extractorPort),
    ORCHESTRATOR_PORT_RANGE_FROM: "42000",
    ORCHESTRATOR_PORT_RANGE_TO: "42099",
  };
  // Exactly what the README tells a newcomer to run, with ports moved out of the way.
  platform = spawn("npm", ["start"], { env, stdio: "ignore" });
  exited = new Promise((resolve) => platform.once("exit", (code) => resolve(code)));
  gateway = `http://127.0.0.1:${gatewayPort}`;
  await eventually(async () => ((await fetch(`${gateway}/api/generations/x`).catch(() => undefined))?.status === 401 ? true : undefined), 60_000, "the platform to answer");
});
afterAll(async () => {
  if (platform.exitCode === null && platform.signalCode === null) {
    platform.kill("SIGTERM");
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start and npm run token, as the README says", () => {
  it("serves the API through the gateway, with a token from `npm run token`", async () => {
    const { stdout } = await run("npm", ["run", "--silent", "token", "--", "alice"], { env });
    const token = stdout.trim();
    const created = await callApi<{ generationId: string }>(gateway, "POST", "/api/generations", { token, json: { files: helloApp } });
    expect(created.status).toBe(201);
    const launched = await callApi(gateway, "POST", `/api/generations/${created.body.generationId}/preview/launch`, { token, json: { wait: true } });
    expect(launched.status).toBe(200);
    expect(launched.body.status).toBe("running");
    expect(pidsMatching(`--root-path /p/${launched.body.previewInstanceId as string}`)).toHaveLength(1);
    // Three service processes (the runner, and tsx + node per service) and the preview, all traceable to this DATA_DIR.
    expect(pidsUsingDataDir(dataDir).length).toBeGreaterThanOrEqual(4);
  });

  it("never routes internal paths from outside", async () => {
    const res = await callApi(gateway, "POST", "/internal/previews/x/touch");
    expect(res.status).toBe(404);
    expect((res.body as unknown as ErrorEnvelope).error.code).toBe("not_found");
  });

  it("stops every service and preview on SIGTERM, leaving no process and no WAL file", async () => {
    platform.kill("SIGTERM");
    expect(await exited).toBe(0);
    // Previews run with their work dir (under DATA_DIR) as cwd and HOME; services are given DATA_DIR.
    await eventually(() => (pidsUsingDataDir(dataDir).length === 0 ? true : undefined), 20_000, "no process left");
    expect(readdirSync(join(dataDir, "previews"))).toEqual([]);
    expect(existsSync(join(dataDir, "orchestrator.db-wal"))).toBe(false);
  });
});
