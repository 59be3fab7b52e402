import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import getPort from "get-port";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../support/api.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// The runner (scripts/procfile.ts) reads each service's output and holds its lifeline (stdin).
// When the runner dies, the service may write before it reads the lifeline's end: that write
// fails with EPIPE. The service must take it as the runner's end and shut down in order (exit 0,
// its previews stopped), not crash on an unhandled 'error' (exit 1, previews left running).
describe("a service whose runner's end of its output is gone", () => {
  it("shuts down in order on the failed write, though its lifeline is still open", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "lifeline-"));
    dirs.push(dataDir);
    writeFileSync(join(dataDir, "secrets.json"), JSON.stringify({ jwtSecret: "j".repeat(32), internalToken: "internal-token-for-lifeline" }));
    const port = await getPort();
    const service = spawn("scripts/run-service.sh", ["extractor"], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, EXTRACTOR_PORT: String(port), PLATFORM_LIFELINE: "stdin" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => service.once("exit", (code) => resolve(code)));
    let stderr = "";
    service.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    let listening = false;
    service.stdout.on("data", (d: Buffer) => { if (d.toString().includes("listening")) listening = true; });
    await eventually(() => (listening ? true : undefined), 60_000, "the extractor to listen");
    // The reader of its stdout goes; its lifeline (stdin) stays open.
    service.stdout.destroy();
    // A request makes it log a line to the closed pipe.
    await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    expect(await exited, stderr).toBe(0);
    expect(stderr).not.toMatch(/EPIPE/);
    service.stdin.end();
  }, 120_000);
});
