import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { pidsOfPreview } from "../support/processes.ts";

const run = promisify(execFile);

// An app that takes a few seconds to import: the CLI is still at its launch stage meanwhile.
const slowApp = {
  "main.py": ["import time", "time.sleep(4)", "from fastapi import FastAPI", "app = FastAPI()", "", "@app.get('/')", "def root():", "    return {'ok': True}", ""].join("\n"),
};

let platform: PlatformProcess;
let token: string;
let dir: string;
beforeAll(async () => {
  platform = await startPlatformProcess();
  token = (await run("npm", ["run", "--silent", "token", "--", "local"], { env: platform.env })).stdout.trim();
  dir = mkdtempSync(join(tmpdir(), "cli-interrupt-"));
  for (const [path, text] of Object.entries(slowApp)) writeFileSync(join(dir, path), text);
});
afterAll(async () => {
  await platform.stop();
  rmSync(dir, { recursive: true, force: true });
});

const runCli = (...args: string[]) => {
  const child: ChildProcess = spawn("npm", ["run", "--silent", "preview", "--", dir, ...args], { env: platform.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => { output += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
};

/** Ctrl-C as soon as the upload is reported: the launch is being asked for or the preview is starting. */
const interruptAtLaunch = async (cli: ReturnType<typeof runCli>) => {
  const generationId = await eventually(() => /generation (\w+)/.exec(cli.output())?.[1], 60_000, "the upload stage");
  cli.child.kill("SIGINT");
  return { generationId, code: await cli.exited };
};

const status = async (generationId: string) =>
  (await callApi<{ status: string; previewInstanceId: string }>(platform.gateway, "GET", `/api/generations/${generationId}/preview/status`, { token })).body;

describe("npm run preview: Ctrl-C during the launch", () => {
  it("stops the preview it launched, through the API, and says so", async () => {
    const cli = runCli();
    const { generationId, code } = await interruptAtLaunch(cli);
    expect(code).toBe(130);
    expect(cli.output()).not.toContain("✔ ready");
    expect(cli.output()).toMatch(/✔ stopped/);
    const after = await status(generationId);
    expect(after.status).toBe("stopped");
    await eventually(() => (pidsOfPreview(platform.dataDir, after.previewInstanceId).length === 0 ? true : undefined), 20_000, "no preview process");
  }, 120_000);

  it("leaves it launching on to running with --detach", async () => {
    const cli = runCli("--detach");
    const { generationId, code } = await interruptAtLaunch(cli);
    expect(code, cli.output()).toBe(0);
    expect(cli.output()).not.toMatch(/✔ stopped/);
    await eventually(async () => ((await status(generationId)).status === "running" ? true : undefined), 60_000, "the detached preview running");
    await callApi(platform.gateway, "DELETE", `/api/generations/${generationId}/preview`, { token });
  }, 120_000);
});
