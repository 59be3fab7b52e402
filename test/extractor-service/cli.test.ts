// `npm run --silent extract -- <dir or .py file>` as people and scripts run it: clean JSON on stdout.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { readProject } from "../../libs/extractor/read-project.ts";
import { extractorFixture, ownFixture } from "./support.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

const runExtract = (...args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "extract", "--", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });

const libraryOn = (path: string, entry?: string) =>
  JSON.parse(JSON.stringify(extractEndpoints(readProject(path).files, entry === undefined ? {} : { entry }))) as unknown;

describe("npm run --silent extract", () => {
  it("prints exactly one JSON document, the library's result for that directory", async () => {
    const dir = ownFixture("computed_paths");
    const { code, stdout } = await runExtract(dir);
    expect(code).toBe(0);
    expect(stdout.endsWith("}\n")).toBe(true);
    expect(JSON.parse(stdout)).toEqual(libraryOn(dir));
  });

  it("takes a single .py file and an --entry", async () => {
    const file = `${extractorFixture("basic")}main.py`;
    const single = await runExtract(file);
    expect(single.code).toBe(0);
    expect(JSON.parse(single.stdout)).toEqual(libraryOn(file));

    const dir = extractorFixture("explicit_entry");
    const withEntry = await runExtract(dir, "--entry", "admin_main:admin");
    expect(withEntry.code).toBe(0);
    expect(JSON.parse(withEntry.stdout)).toEqual(libraryOn(dir, "admin_main:admin"));
    expect(JSON.parse(withEntry.stdout)).not.toEqual(libraryOn(dir));
  });

  it("reads settings from --env NAME=value, and refuses a pair without a name", async () => {
    const dir = extractorFixture("environment");
    const paths = (stdout: string) => (JSON.parse(stdout) as { endpoints: Array<{ path: string }> }).endpoints.map((endpoint) => endpoint.path);
    const defaults = await runExtract(dir);
    const set = await runExtract(dir, "--env", "APP_ADMIN=true", "--env", "HEALTH_PATH=/live=1");
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual(JSON.parse(JSON.stringify(extractEndpoints(readProject(dir).files, { env: { APP_ADMIN: "true", HEALTH_PATH: "/live=1" } }))));
    expect(paths(set.stdout)).toEqual(expect.arrayContaining(["/admin/stats", "/live=1"]));
    expect(paths(defaults.stdout)).toEqual(expect.arrayContaining(["/health"]));
    expect(paths(defaults.stdout)).not.toContain("/admin/stats");
    const bad = await runExtract(dir, "--env", "=oops");
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/--env wants NAME=value, got "=oops"/);
  });

  it("says what is wrong on stderr, with nothing on stdout, for a path that does not exist", async () => {
    const { code, stdout, stderr } = await runExtract(`${root}no/such/project`);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/no such file or directory/);
  });
});
