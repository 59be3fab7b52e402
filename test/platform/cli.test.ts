import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { helloApp, importErrorApp } from "../support/fixture-apps.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { originFetch } from "../support/preview-origin.ts";
import { pidsOfPreview } from "../support/processes.ts";

let platform: PlatformProcess;
const dirs: string[] = [];
beforeAll(async () => {
  platform = await startPlatformProcess();
});
afterAll(async () => {
  await platform.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const projectOnDisk = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), "cli-project-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
};

/** Runs `npm run preview -- <dir>` as a user would, collecting what it prints. */
const runCli = (dir: string, ...args: string[]) => {
  const child: ChildProcess = spawn("npm", ["run", "--silent", "preview", "--", dir, ...args], { env: platform.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => { output += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
};

describe("npm run preview -- <dir>", () => {
  it("uploads, shows each stage, prints the URLs, tails the logs, and stops the preview on Ctrl-C", async () => {
    const dir = projectOnDisk({ ...helloApp, ".venv/lib/site.py": "junk = 1\n", "__pycache__/main.cpython-311.pyc": "x", ".gitignore": "secrets.txt\n", "secrets.txt": "do not upload" });
    const cli = runCli(dir);
    await eventually(() => (cli.output().includes("Tailing logs") ? true : undefined), 60_000, "the CLI to report the preview ready");
    const out = cli.output();
    expect(out).toMatch(/✔ upload\s+2 files/); // main.py and .gitignore: no virtualenv, cache or ignored file
    expect(out).toMatch(/✔ runtime\s+host/);
    expect(out).toMatch(/✔ starting\s+launching main:app/);
    expect(out).toMatch(/✔ ready\s+in \d+ ms/);
    const previewUrl = /preview\s+(http\S+)/.exec(out)?.[1] ?? "";
    const docsUrl = /docs\s+(http\S+)/.exec(out)?.[1] ?? "";
    const apiUrl = /api\s+(http\S+)/.exec(out)?.[1] ?? "";
    const previewId = /^http:\/\/([0-9a-z]+)\.preview\.localhost:/.exec(previewUrl)?.[1] ?? "";
    expect(previewUrl).toBe(`http://${previewId}.preview.localhost:${new URL(platform.gateway).port}/`);
    expect(docsUrl.startsWith(`${previewUrl}docs?previewToken=`)).toBe(true);
    expect(apiUrl).toBe(`${platform.gateway}/p/${previewId}/`);
    await eventually(() => (cli.output().includes("Uvicorn running on") ? true : undefined), 20_000, "uvicorn's startup line in the tail");

    // The docs URL works in a browser-like client: hand-off, cookie, page.
    const handoff = await originFetch(docsUrl, { redirect: "manual" });
    expect(handoff.status).toBe(302);
    const cookie = (handoff.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const docs = await originFetch(new URL(handoff.headers.get("location") ?? "", previewUrl).href, { headers: { cookie } });
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("swagger-ui");
    expect(pidsOfPreview(platform.dataDir, previewId)).toHaveLength(1);

    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/✔ stopped/);
    expect(pidsOfPreview(platform.dataDir, previewId)).toEqual([]);
  });

  it("exits non-zero with the failure reason when the launch fails", async () => {
    const cli = runCli(projectOnDisk(importErrorApp));
    expect(await cli.exited).toBe(1);
    const out = cli.output();
    expect(out).toContain("RuntimeError: the generated helpers module is broken");
    // The diagnosis: one block, once, last, naming the user's file and line and showing its source line.
    const block = out.slice(out.indexOf("✖ failed"));
    expect(block.split("\n").filter((l) => l !== "")).toEqual([
      expect.stringMatching(/^✖ failed\s+import_error: RuntimeError: the generated helpers module is broken$/),
      expect.stringMatching(/^\s+at helpers.py:4$/),
      expect.stringMatching(/^\s+raise RuntimeError\('the generated helpers module is broken'\)$/),
    ]);
    expect(out.split("import_error:").length).toBe(2);
  });

  it("leaves the preview running after Ctrl-C with --detach", async () => {
    const dir = projectOnDisk(helloApp);
    const cli = runCli(dir, "--detach");
    await eventually(() => (cli.output().includes("Tailing logs") ? true : undefined), 60_000, "ready");
    const generationId = /generation (\w+)/.exec(cli.output())?.[1] ?? "";
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
    const { stdout } = await import("node:child_process").then(({ execFileSync }) => ({ stdout: execFileSync("npm", ["run", "--silent", "token", "--", "local"], { env: platform.env }).toString() }));
    const status = await callApi(platform.gateway, "GET", `/api/generations/${generationId}/preview/status`, { token: stdout.trim() });
    expect(status.body.status).toBe("running");
  });

  it("says what is wrong when the directory does not exist", async () => {
    const cli = runCli("/nonexistent/project");
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain("/nonexistent/project");
  });
});
