import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), "deno-perms-"));
writeFileSync(join(dataDir, "secrets.json"), JSON.stringify({ jwtSecret: "a", internalToken: "b" }));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** What each service's Deno permission set lets the probe do (scripts/deno-service.sh is the one definition). */
const probe = async (service: string) => {
  const { stdout } = await run("scripts/deno-service.sh", [service, "test/deno/permission-probe.ts"], { env: { PATH: process.env.PATH, DATA_DIR: dataDir } });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, string>;
};

describe("each service under Deno holds only the permissions it needs", () => {
  it("the gateway may not write files, run processes (esbuild alone, for the page), read other files or reach outside", async () => {
    expect(await probe("gateway")).toEqual({ writeDataDir: "refused", writeTmp: "refused", runProcess: "refused", readEtcPasswd: "refused", connectOutside: "refused", readProc: "refused" });
  });

  it("the extractor may not write files, run processes, read other files or reach outside", async () => {
    expect(await probe("extractor")).toEqual({ writeDataDir: "refused", writeTmp: "refused", runProcess: "refused", readEtcPasswd: "refused", connectOutside: "refused", readProc: "refused" });
  });

  it("the logs service writes only under DATA_DIR, runs nothing and reaches nothing outside", async () => {
    expect(await probe("logs")).toEqual({ writeDataDir: "allowed", writeTmp: "refused", runProcess: "refused", readEtcPasswd: "refused", connectOutside: "refused", readProc: "refused" });
  });

  it("the orchestrator holds every permission: Deno lets only that read /proc, which it needs to know its previews", async () => {
    const orchestrator = await probe("orchestrator");
    expect(orchestrator.readProc).toBe("allowed");
    expect(orchestrator.runProcess).toBe("allowed");
    expect(orchestrator.writeDataDir).toBe("allowed");
  });

  it("refuses an unknown service name", async () => {
    await expect(run("scripts/deno-service.sh", ["nope"])).rejects.toMatchObject({ code: 2 });
  });
});
