// `npm run preview -- ls | stop | logs | open | --help` as a user runs them: in a pseudo-terminal
// (util-linux `script`), against a real `npm start` platform, judged by what they print and their exit codes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import getPort from "get-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreviewSummary } from "../../libs/previews/listing.ts";
import { callApi, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { runInPty } from "../support/pty.ts";

let platform: PlatformProcess;
let token: string;
const dirs: string[] = [];
beforeAll(async () => {
  platform = await startPlatformProcess();
  // The CLI signs its own token for PREVIEW_USER (default "local"); the API calls here act as the same user.
  token = (await pty(["local"], {}, "token")).output.trim();
});
afterAll(async () => {
  await platform.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs an npm script in a pseudo-terminal, as typed in a shell: its output and exit code. */
const pty = (args: ReadonlyArray<string>, env: Record<string, string> = {}, script = "preview") => runInPty({ ...platform.env, ...env }, script, args);

const launchAsLocal = async () => {
  const created = await callApi<{ generationId: string }>(platform.gateway, "POST", "/api/generations", { token, json: { files: helloApp } });
  const launched = await callApi<{ previewInstanceId: string; status: string; previewUrl: string }>(platform.gateway, "POST", `/api/generations/${created.body.generationId}/preview/launch`, { token, json: { wait: true } });
  expect(launched.body.status).toBe("running");
  return { generationId: created.body.generationId, previewInstanceId: launched.body.previewInstanceId, previewUrl: launched.body.previewUrl };
};

const statusOf = async (generationId: string) =>
  (await callApi<{ status: string }>(platform.gateway, "GET", `/api/generations/${generationId}/preview/status`, { token })).body.status;

const noStackTrace = (output: string) => expect(output).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);

describe("npm run preview -- --help", () => {
  it.each([
    [["--help"], "Usage: npm run preview -- <project dir>"],
    [["-h"], "Commands:"],
    [["help"], "Exit codes:"],
    [["ls", "--help"], "Usage: npm run preview -- ls"],
    [["stop", "--help"], "Usage: npm run preview -- stop <id|all>"],
    [["logs", "-h"], "Usage: npm run preview -- logs <id>"],
    [["open", "--help"], "Usage: npm run preview -- open <id>"],
    [["help", "logs"], "-f, --follow"],
  ])("%j prints its usage and exits 0", async (args, expected) => {
    const { output, code } = await pty(args);
    expect(code).toBe(0);
    expect(output).toContain(expected);
    noStackTrace(output);
  });
});

describe("ls, stop, logs and open against the platform", () => {
  it("ls says there is nothing yet, then lists previews newest first, as a table and as JSON", async () => {
    const empty = await pty(["ls"]);
    expect(empty).toEqual({ output: "No previews yet. Start one with: npm run preview -- <project dir>\n", code: 0 });
    const first = await launchAsLocal();
    const second = await launchAsLocal();
    const table = await pty(["ls"]);
    expect(table.code).toBe(0);
    const rows = table.output.trim().split("\n");
    expect(rows[0]).toMatch(/^PREVIEW\s+GENERATION\s+STATUS\s+CREATED\s+URL$/);
    expect(rows[1]).toMatch(new RegExp(`^${second.previewInstanceId}\\s+${second.generationId}\\s+running\\s+\\d+[smhd] ago\\s+`));
    expect(rows[1]?.endsWith(`  ${second.previewUrl}`)).toBe(true);
    expect(rows[2]).toContain(first.previewInstanceId);
    const json = await pty(["ls", "--json"]);
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.output) as PreviewSummary[];
    expect(listed.map((p) => p.previewInstanceId)).toEqual([second.previewInstanceId, first.previewInstanceId]);
  }, 120_000);

  it("logs prints a preview's lines (by preview id or generation id), as text and as NDJSON", async () => {
    const [newest] = JSON.parse((await pty(["ls", "--json", "--limit", "1"])).output) as PreviewSummary[];
    if (newest === undefined) throw new Error("no preview listed");
    await eventually(async () => ((await pty(["logs", newest.previewInstanceId])).output.includes("Uvicorn running on") ? true : undefined), 30_000, "uvicorn's line in `logs`");
    const text = await pty(["logs", newest.generationId, "--tail", "1"]);
    expect(text.code).toBe(0);
    expect(text.output.trim().split("\n")).toHaveLength(1);
    const ndjson = await pty(["logs", newest.previewInstanceId, "--json"]);
    const lines = ndjson.output.trim().split("\n").map((l) => JSON.parse(l) as { id: number; message: string });
    expect(lines.some((l) => l.message.includes("Uvicorn running on"))).toBe(true);
    expect(lines.map((l) => l.id)).toEqual([...lines.map((l) => l.id)].sort((a, b) => a - b));
  }, 90_000);

  it("open prints the Preview Tab URL of the generation when there is no browser, or as JSON", async () => {
    const [newest] = JSON.parse((await pty(["ls", "--json", "--limit", "1"])).output) as PreviewSummary[];
    if (newest === undefined) throw new Error("no preview listed");
    const url = `${platform.gateway}/#g=${newest.generationId}`;
    expect(await pty(["open", newest.previewInstanceId, "--print"])).toEqual({ output: `${url}\n`, code: 0 });
    const json = await pty(["open", newest.generationId, "--json"]);
    expect(JSON.parse(json.output)).toEqual({ url, previewInstanceId: newest.previewInstanceId, generationId: newest.generationId, status: "running" });
    // The URL it gives is the page, served.
    expect((await fetch(url)).status).toBe(200);
  });

  it("stop stops one by generation id, says so for one already ended, and stop all ends the rest", async () => {
    const listed = JSON.parse((await pty(["ls", "--json", "--live"])).output) as PreviewSummary[];
    expect(listed).toHaveLength(2);
    const [newest, older] = listed as [PreviewSummary, PreviewSummary];
    const one = await pty(["stop", newest.generationId]);
    expect(one.code).toBe(0);
    expect(one.output).toContain(`${newest.previewInstanceId} (generation ${newest.generationId}):`);
    expect(await statusOf(newest.generationId)).toBe("stopped");
    expect(await statusOf(older.generationId)).toBe("running");
    expect(await pty(["stop", newest.previewInstanceId])).toEqual({ output: `${newest.previewInstanceId} (generation ${newest.generationId}): already stopped\n`, code: 0 });

    const all = await pty(["stop", "all", "--json"]);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.output)).toEqual([expect.objectContaining({ previewInstanceId: older.previewInstanceId, status: "stopped" })]);
    expect(await statusOf(older.generationId)).toBe("stopped");
    expect(await pty(["ls", "--live"])).toEqual({ output: "No live previews.\n", code: 0 });
    expect(await pty(["stop", "all"])).toEqual({ output: "No live previews to stop.\n", code: 0 });
    // -f on an ended preview prints its history and returns at its final status.
    const followed = await pty(["logs", older.previewInstanceId, "-f"]);
    expect(followed.code).toBe(0);
    expect(followed.output).toContain("Uvicorn running on");
  }, 120_000);
});

describe("errors name the cause, with exit codes", () => {
  it("an unknown id is exit 4 and says how to list ids", async () => {
    const { output, code } = await pty(["stop", "nosuchpreview"]);
    expect(code).toBe(4);
    expect(output).toBe("error: no preview or generation \"nosuchpreview\" among your previews (`npm run preview -- ls` lists them)\n");
  });

  it("no platform at the URL is exit 3, naming the URL, the socket error and what to check", async () => {
    const port = await getPort(); // free: nobody listens there
    const url = `http://127.0.0.1:${port}`;
    const { output, code } = await pty(["ls"], { PREVIEW_API_URL: url });
    expect(code).toBe(3);
    expect(output).toContain(`error: listing your previews at ${url} failed: No answer from GET ${url}/api/previews?limit=20: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(output).toContain("Is the platform running there? Start it with `npm start`");
    noStackTrace(output);
    const dir = mkdtempSync(join(tmpdir(), "cli-project-"));
    dirs.push(dir);
    writeFileSync(join(dir, "main.py"), helloApp["main.py"]);
    const launch = await pty([dir], { PREVIEW_API_URL: url });
    expect(launch.code).toBe(3);
    // Progress shows from the start: what it reads, where it uploads, then why that failed.
    expect(launch.output).toMatch(new RegExp(`^Reading ${dir} …\\nUploading 1 file to ${url} …\\n✖ upload +No answer from POST ${url}/api/generations: connect ECONNREFUSED`));
  });

  it("a bad directory is exit 2 with what is wrong with it", async () => {
    const missing = await pty(["/definitely/not/here"]);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain("error: no such directory: /definitely/not/here");
    const dir = mkdtempSync(join(tmpdir(), "cli-project-"));
    dirs.push(dir);
    writeFileSync(join(dir, "README.md"), "no code here\n");
    const file = await pty([join(dir, "README.md")]);
    expect(file.code).toBe(2);
    expect(file.output).toContain(`error: ${join(dir, "README.md")} is a file, not a directory`);
    const noPython = await pty([dir]);
    expect(noPython.code).toBe(2);
    expect(noPython.output).toContain(`error: no Python file to upload in ${dir}`);
    for (const r of [missing, file, noPython]) noStackTrace(r.output);
  });

  it.each([
    [["ls", "--bogus"], "error: Unknown option '--bogus'", "(see `npm run preview -- ls --help`)"],
    [["ls", "--limit", "0"], "error: --limit must be a whole number from 1 to 100", ""],
    [["stop"], "error: stop needs a preview id, a generation id or `all`", ""],
    [["logs", "a", "b"], "error: logs takes one id, not 2: a b", ""],
    [["logs", "x", "--tail", "many"], "error: --tail must be a whole number", ""],
    [[], "error: give a project directory or a command", "Usage: npm run preview"],
  ])("%j is a usage error, exit 2, no stack trace", async (args, message, more) => {
    const { output, code } = await pty(args);
    expect(code).toBe(2);
    expect(output).toContain(message);
    expect(output).toContain(more);
    noStackTrace(output);
  });
});
