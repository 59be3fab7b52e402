import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/api.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";

let platform: PlatformProcess;
let dir: string;
beforeAll(async () => {
  platform = await startPlatformProcess();
  dir = mkdtempSync(join(tmpdir(), "cli-watch-"));
});
afterAll(async () => {
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const mainPy = "from fastapi import FastAPI\nfrom version import VERSION\napp = FastAPI()\n\n@app.get('/version')\ndef version():\n    return {'version': VERSION}\n";

describe("npm run preview -- <dir> --watch", () => {
  it("applies each change to the running preview in place and shows it; a broken change is shown with its diagnosis and the previous version keeps serving", async () => {
    writeFileSync(join(dir, "main.py"), mainPy);
    writeFileSync(join(dir, "version.py"), "VERSION = 1\n");
    const child: ChildProcess = spawn("npm", ["run", "--silent", "preview", "--", dir, "--watch"], { env: platform.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => { output += d.toString(); });
    child.stderr?.on("data", (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await eventually(() => (output.includes("Watching") ? true : undefined), 90_000, "the CLI to watch");
      const apiUrl = /api\s+(http\S+)/.exec(output)?.[1] ?? "";
      const previewToken = /X-Preview-Token: ([^)\s]+)/.exec(output)?.[1] ?? "";
      const version = async () => (await (await fetch(`${apiUrl}version`, { headers: { "x-preview-token": previewToken } })).json()) as { version: number };
      expect(await version()).toEqual({ version: 1 });

      writeFileSync(join(dir, "version.py"), "VERSION = 2\n");
      await eventually(() => (/✔ reloaded\s+in \d+ ms: 1 file changed \(version\.py\)/.test(output) ? true : undefined), 60_000, "the reload to be shown");
      expect(await version()).toEqual({ version: 2 });
      expect(output).toMatch(/platform .*reloaded in \d+ ms: 1 file changed/);

      writeFileSync(join(dir, "version.py"), "VERSION = (\n");
      // The diagnosis's lines follow the failure line, maybe in a later chunk of the CLI's output.
      await eventually(() => (output.includes("✖ not applied") && /at version\.py:1/.test(output) ? true : undefined), 60_000, "the failed reload to be shown");
      expect(output).toMatch(/✖ not applied\s+syntax_error: .*reload_failed; the previous version still serves/);
      expect(output).toMatch(/at version\.py:1/);
      expect(await version()).toEqual({ version: 2 });
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    expect(output).toMatch(/✔ stopped/);
  }, 240_000);
});
