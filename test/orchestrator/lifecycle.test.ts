import { existsSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { asyncEngineApp, envDumpApp, helloApp } from "../support/fixture-apps.ts";
import { launch, previewPath, previewRow, status, upload, waitForStatus } from "../support/previews.ts";
import { portAccepts, processAlive } from "../support/processes.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";

let o: TestOrchestrator;
let token: string;
beforeAll(async () => {
  o = await startTestOrchestrator();
  token = await o.token("alice");
});
afterAll(() => o.dispose());

describe("a preview's life: upload, launch, run, stop", () => {
  it("runs a real uvicorn that answers, then stops it and leaves nothing behind", async () => {
    const generationId = await upload(o, token, helloApp);
    const launched = await launch(o, token, generationId);
    expect(launched.status).toBe(202);
    expect(launched.body).toMatchObject({ status: "launching", generationId });
    const previewId = launched.body.previewInstanceId as string;
    // Its own origin, from PUBLIC_URL's scheme and port (none here) under preview.localhost.
    expect(launched.body.baseUrl).toBe(`http://${previewId}.preview.localhost`);
    expect(launched.body.previewUrl).toBe(`http://${previewId}.preview.localhost/`);
    expect(typeof launched.body.previewToken).toBe("string");

    const running = await waitForStatus(o, token, generationId, "running");
    expect(running.previewInstanceId).toBe(previewId);
    expect(typeof running.uptime).toBe("number");
    expect(running.startedAt).not.toBeNull();

    const row = previewRow(o, previewId);
    expect(row.port).not.toBeNull();
    const port = row.port as number;
    const hello = await fetch(`http://127.0.0.1:${port}/hello`);
    expect(await hello.json()).toEqual({ message: "hi" });
    // The app runs at the root of its own origin: no root path for its docs to add.
    const openapi = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as { servers?: { url: string }[] };
    expect(openapi.servers).toBeUndefined();

    // What the preview printed, and the platform's own lifecycle lines, reached the log sink.
    const lines = await eventually(() => {
      const l = o.logs(previewId);
      return l.some((x) => x.message.includes("hello was called")) ? l : undefined;
    });
    expect(lines.some((l) => l.source === "stderr" && l.message.includes("Uvicorn running on") && l.level === "INFO")).toBe(true);
    expect(lines.some((l) => l.source === "system" && /^ready in \d+ ms$/.test(l.message))).toBe(true);

    const stopped = await callApi(o.url, "DELETE", previewPath(generationId), { token });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: "stopped" });
    expect(processAlive(row.pid as number)).toBe(false);
    expect(await portAccepts(port)).toBe(false);
    expect(o.query("select * from port_reservations")).toEqual([]);
    expect(existsSync(row.work_dir)).toBe(false);
    const after = await status(o, token, generationId);
    expect(after.body).toMatchObject({ status: "stopped", exitCode: 0 });
    expect(o.statuses(previewId)).toEqual(["launching", "running", "stopped"]);

    // Stopping again is harmless and says so.
    const again = await callApi(o.url, "DELETE", previewPath(generationId), { token });
    expect(again.status).toBe(200);
    expect(again.body.message).toContain("already ended");
  });

  it("answers 200 once running when the launch asks to wait, and a new launch after a stop works", async () => {
    const generationId = await upload(o, token, helloApp);
    const first = await launch(o, token, generationId, { wait: true });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe("running");
    await callApi(o.url, "DELETE", previewPath(generationId), { token });
    const second = await launch(o, token, generationId, { wait: true });
    expect(second.status).toBe(200);
    expect(second.body.previewInstanceId).not.toBe(first.body.previewInstanceId);
    await callApi(o.url, "DELETE", previewPath(generationId), { token });
  });

  it("gives each preview its own SQLite DATABASE_URL, with the async driver for create_async_engine projects", async () => {
    // The URL is relative: each preview's process runs in its own work dir, so each has its own file.
    const cwdOf = (pid: number | null) => {
      if (pid === null) throw new Error("the preview has no pid");
      return readlinkSync(`/proc/${pid}/cwd`);
    };

    const generationId = await upload(o, token, asyncEngineApp);
    const launched = await launch(o, token, generationId, { wait: true });
    expect(launched.status).toBe(200);
    const asyncRow = previewRow(o, launched.body.previewInstanceId as string);
    const res = await fetch(`http://127.0.0.1:${asyncRow.port as number}/db-url`);
    expect(await res.json()).toEqual({ url: "sqlite+aiosqlite:///./.preview.db" });
    expect(cwdOf(asyncRow.pid)).toBe(asyncRow.work_dir);
    await callApi(o.url, "DELETE", previewPath(generationId), { token });

    // A project that never calls create_async_engine gets the plain driver.
    expect(Object.values(envDumpApp).join("\n")).not.toContain("create_async_engine");
    const plain = await upload(o, token, envDumpApp);
    const plainLaunch = await launch(o, token, plain, { wait: true });
    expect(plainLaunch.status).toBe(200);
    const plainRow = previewRow(o, plainLaunch.body.previewInstanceId as string);
    const env = (await (await fetch(`http://127.0.0.1:${plainRow.port as number}/env`)).json()) as Record<string, string>;
    expect(env.DATABASE_URL).toBe("sqlite:///./.preview.db");
    expect(cwdOf(plainRow.pid)).toBe(plainRow.work_dir);
    expect(plainRow.work_dir).not.toBe(asyncRow.work_dir);
    await callApi(o.url, "DELETE", previewPath(plain), { token });
  });
});
