import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope, eventually } from "../support/api.ts";
import { helloApp, importErrorApp, noEntryProject, slowStartupApp } from "../support/fixture-apps.ts";
import { launch, previewPath, previewRow, status, upload, waitForStatus } from "../support/previews.ts";
import { pidsOfPreview, processAlive } from "../support/processes.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";

let o: TestOrchestrator;
let token: string;
// Only the startup-timeout case runs with a short timeout (its own orchestrator): on a loaded
// machine a healthy app can take more than a few seconds to import.
let quick: TestOrchestrator;
let quickToken: string;
beforeAll(async () => {
  [o, quick] = await Promise.all([startTestOrchestrator(), startTestOrchestrator({ STARTUP_TIMEOUT_SECONDS: "3" })]);
  [token, quickToken] = await Promise.all([o.token("alice"), quick.token("alice")]);
});
afterAll(() => Promise.all([o.dispose(), quick.dispose()]));

describe("previews that do not make it", () => {
  it("a project that fails to import becomes failed, with the traceback's last lines in /status", async () => {
    const generationId = await upload(o, token, importErrorApp);
    const launched = await launch(o, token, generationId);
    const previewId = launched.body.previewInstanceId as string;
    const failed = await waitForStatus(o, token, generationId, "failed");
    expect(failed.exitCode).toBe(1);
    expect(failed.errorMessage).toContain("before it was ready");
    expect(failed.errorMessage).toContain("RuntimeError: the generated helpers module is broken");
    expect(failed.errorMessage).toContain('helpers.py", line 4');
    // The traceback's lines are ERROR, from its first line through the exception line.
    const lines = o.logs(previewId);
    const start = lines.findIndex((l) => l.message.startsWith("Traceback (most recent call last):"));
    const end = lines.findIndex((l) => l.message.startsWith("RuntimeError: the generated helpers module is broken"));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    expect(lines.slice(start, end + 1).every((l) => l.level === "ERROR")).toBe(true);
    expect(existsSync(previewRow(o, previewId).work_dir)).toBe(false);
    expect(o.query("select * from port_reservations")).toEqual([]);
  });

  it("a launch that waits gets the failure itself: 422 with the exit code and the reason", async () => {
    const generationId = await upload(o, token, importErrorApp);
    const res = await launch(o, token, generationId, { wait: true });
    expect(res.status).toBe(422);
    const body = res.body as unknown as ErrorEnvelope;
    expect(body.error.code).toBe("preview_launch_failed");
    expect(body.error.message).toContain("RuntimeError");
    expect(body.error.details).toMatchObject({ exitCode: 1 });
  });

  it("a preview that never becomes ready is stopped at the startup timeout and marked failed", async () => {
    const generationId = await upload(quick, quickToken, slowStartupApp);
    const launched = await launch(quick, quickToken, generationId);
    const previewId = launched.body.previewInstanceId as string;
    const failed = await waitForStatus(quick, quickToken, generationId, "failed");
    expect(failed.errorMessage).toContain("was not ready within 3 s");
    expect(pidsOfPreview(quick.dataDir, previewId)).toEqual([]);
  });

  it("a preview whose child left its process group still stops, and the child goes with it", async () => {
    const marker = "612.345";
    const generationId = await upload(o, token, {
      "main.py": `import subprocess\nfrom fastapi import FastAPI\nsubprocess.Popen(["sleep", "${marker}"], start_new_session=True)\napp = FastAPI()\n`,
    });
    expect((await launch(o, token, generationId, { wait: true })).status).toBe(200);
    const sleepers = () => readdirSync("/proc").filter((p) => /^\d+$/.test(p) && (() => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8") === `sleep\0${marker}\0`;
      } catch {
        return false;
      }
    })());
    expect(sleepers()).toHaveLength(1);
    expect((await callApi(o.url, "DELETE", previewPath(generationId), { token })).status).toBe(200);
    expect((await waitForStatus(o, token, generationId, "stopped")).status).toBe("stopped");
    await eventually(() => (sleepers().length === 0 ? true : undefined), 10_000, "the child in its own session to be gone");
  });

  it("a preview killed with SIGKILL from outside becomes crashed, with the signal named", async () => {
    const generationId = await upload(o, token, helloApp);
    const launched = await launch(o, token, generationId, { wait: true });
    const row = previewRow(o, launched.body.previewInstanceId as string);
    process.kill(row.pid as number, "SIGKILL");
    const crashed = await waitForStatus(o, token, generationId, "crashed");
    expect(crashed.exitCode).toBe(137);
    expect(crashed.errorMessage).toContain("killed by SIGKILL");
    expect(processAlive(row.pid as number)).toBe(false);
    expect(existsSync(row.work_dir)).toBe(false);
    expect(o.query("select * from port_reservations")).toEqual([]);
    // A crashed preview can be launched again.
    expect((await launch(o, token, generationId, { wait: true })).status).toBe(200);
    await callApi(o.url, "DELETE", previewPath(generationId), { token });
  });

  it("a project without a FastAPI app is refused with a clear error, and a bad entry names itself", async () => {
    const generationId = await upload(o, token, noEntryProject);
    const res = await launch(o, token, generationId);
    expect(res.status).toBe(400);
    expect((res.body as unknown as ErrorEnvelope).error.code).toBe("entry_not_found");

    const withEntry = await upload(o, token, helloApp);
    for (const entry of ["nope.py", "main.py:1bad", "a:b:c", "pkg.missing"]) {
      const bad = await launch(o, token, withEntry, { entry });
      expect(bad.status).toBe(400);
      expect((bad.body as unknown as ErrorEnvelope).error.details).toMatchObject({ field: "entry", entry });
    }
    expect((await status(o, token, withEntry)).status).toBe(404);
  });

  it("an entry may name the module and attribute the project really uses", async () => {
    const generationId = await upload(o, token, {
      "service/api.py": "from fastapi import FastAPI\nserver = FastAPI()\n@server.get('/ping')\ndef ping():\n    return 'pong'\n",
      "service/__init__.py": "",
    });
    const res = await launch(o, token, generationId, { entry: "service.api:server", wait: true });
    expect(res.status).toBe(200);
    const port = previewRow(o, res.body.previewInstanceId as string).port as number;
    expect(await (await fetch(`http://127.0.0.1:${port}/ping`)).json()).toBe("pong");
    await callApi(o.url, "DELETE", previewPath(generationId), { token });
    await eventually(() => (pidsOfPreview(o.dataDir, res.body.previewInstanceId as string).length === 0 ? true : undefined));
  });
});
