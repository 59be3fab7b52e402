import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { launch, previewPath, previewRow, status, upload, waitForStatus } from "../support/previews.ts";
import { processAlive } from "../support/processes.ts";
import { startTestOrchestrator, testInternalToken, type TestOrchestrator } from "../support/test-orchestrator.ts";

describe("time limits: TTL, extension, idle auto-stop", () => {
  let o: TestOrchestrator;
  let token: string;
  beforeAll(async () => {
    o = await startTestOrchestrator({ TTL_SECONDS: "600", MAX_EXTENSIONS: "2", EXTEND_SECONDS: "300" });
    token = await o.token("alice");
  });
  afterAll(() => o.dispose());

  it("reports the effective limits in /config", async () => {
    const generationId = await upload(o, token, helloApp);
    const res = await callApi(o.url, "GET", `${previewPath(generationId)}/config`, { token });
    expect(res.body).toEqual({
      previewTimeout: 20, maxInstances: 3, sessionExpiry: 600, autoStopInactiveAfter: 1800, maxExtensions: 2,
      runtime: "host", limits: { memoryMb: 1024, cpuSeconds: 900, maxProcesses: 256, cpuPercent: 100 },
      enforced: {
        memoryMb: expect.any(String), cpuSeconds: expect.any(String), fileSizeMb: expect.any(String),
        maxProcesses: expect.any(String), cpuPercent: expect.any(String), diskMb: expect.any(String),
      },
      warmPool: { ready: 0, size: 0 },
    });
  });

  it("a preview past its TTL is stopped by the sweeper and marked expired", async () => {
    const generationId = await upload(o, token, helloApp);
    const launched = await launch(o, token, generationId, { wait: true, ttlSeconds: 1 });
    const pid = previewRow(o, launched.body.previewInstanceId as string).pid as number;
    const expired = await waitForStatus(o, token, generationId, "expired");
    expect(expired.stoppedAt).not.toBeNull();
    expect(processAlive(pid)).toBe(false);
    expect(o.logs(launched.body.previewInstanceId as string).some((l) => l.message.includes("reached its time limit"))).toBe(true);
  });

  it("refuses a TTL over the maximum, naming the field", async () => {
    const generationId = await upload(o, token, helloApp);
    const res = await launch(o, token, generationId, { ttlSeconds: 601 });
    expect(res.status).toBe(400);
    expect((res.body as unknown as ErrorEnvelope).error.details).toMatchObject({ field: "ttlSeconds", max: 600 });
  });

  it("extend pushes the expiry out, up to the configured number of times", async () => {
    const generationId = await upload(o, token, helloApp);
    const launched = await launch(o, token, generationId, { wait: true });
    const before = Date.parse(launched.body.expiresAt as string);
    const first = await callApi(o.url, "POST", `${previewPath(generationId)}/extend`, { token, json: { seconds: 60 } });
    expect(first.status).toBe(200);
    expect(Date.parse(first.body.expiresAt as string) - before).toBe(60_000);
    expect(first.body.extensionsRemaining).toBe(1);
    const second = await callApi(o.url, "POST", `${previewPath(generationId)}/extend`, { token, json: {} });
    expect(Date.parse(second.body.expiresAt as string) - before).toBe(360_000);
    expect(second.body.extensionsRemaining).toBe(0);
    const third = await callApi(o.url, "POST", `${previewPath(generationId)}/extend`, { token, json: {} });
    expect(third.status).toBe(409);
    expect((third.body as unknown as ErrorEnvelope).error.code).toBe("extension_limit_reached");
    expect((await status(o, token, generationId)).body.expiresAt).toBe(second.body.expiresAt);

    const tooLong = await callApi(o.url, "POST", `${previewPath(generationId)}/extend`, { token, json: { seconds: 301 } });
    expect(tooLong.status).toBe(409);
    await callApi(o.url, "DELETE", previewPath(generationId), { token });
    const stopped = await callApi(o.url, "POST", `${previewPath(generationId)}/extend`, { token, json: {} });
    expect(stopped.status).toBe(409);
    expect((stopped.body as unknown as ErrorEnvelope).error.code).toBe("preview_not_running");
  });

  it("refuses an extension longer than allowed, naming the field", async () => {
    const generationId = await upload(o, token, helloApp);
    await launch(o, token, generationId, { wait: true });
    const res = await callApi(o.url, "POST", `${previewPath(generationId)}/extend`, { token, json: { seconds: 301 } });
    expect(res.status).toBe(400);
    expect((res.body as unknown as ErrorEnvelope).error.details).toMatchObject({ field: "seconds", max: 300 });
    const negative = await callApi(o.url, "POST", `${previewPath(generationId)}/extend`, { token, json: { seconds: -5 } });
    expect(negative.status).toBe(400);
    await callApi(o.url, "DELETE", previewPath(generationId), { token });
  });
});

describe("idle auto-stop", () => {
  let o: TestOrchestrator;
  beforeAll(async () => {
    o = await startTestOrchestrator({ IDLE_SECONDS: "2" });
  });
  afterAll(() => o.dispose());

  it("stops a preview nobody uses, while reported activity keeps another alive", async () => {
    const token = await o.token("alice");
    const idle = await upload(o, token, helloApp);
    const busy = await upload(o, token, helloApp);
    const idleLaunch = await launch(o, token, idle, { wait: true });
    const idleId = idleLaunch.body.previewInstanceId as string;
    const { pid: idlePid, work_dir: idleWorkDir } = previewRow(o, idleId);
    if (idlePid === null) throw new Error(`preview ${idleId} has no pid`);
    expect(processAlive(idlePid)).toBe(true);
    expect(existsSync(idleWorkDir)).toBe(true);
    const busyLaunch = await launch(o, token, busy, { wait: true });
    const busyId = busyLaunch.body.previewInstanceId as string;
    const keepAlive = setInterval(() => {
      void callApi(o.url, "POST", `/internal/previews/${busyId}/touch`, { headers: { "x-internal-token": testInternalToken } });
    }, 300);
    try {
      const expired = await waitForStatus(o, token, idle, "expired");
      expect(expired.stoppedAt).not.toBeNull();
      expect(Number.isNaN(Date.parse(String(expired.stoppedAt)))).toBe(false);
      expect(processAlive(idlePid)).toBe(false);
      expect(existsSync(idleWorkDir)).toBe(false);
      expect(previewRow(o, idleId).status).toBe("expired");
      expect(o.logs(idleId).some((l) => l.message.includes("was idle for 2 s"))).toBe(true);
      expect((await status(o, token, busy)).body.status).toBe("running");
    } finally {
      clearInterval(keepAlive);
    }
    await waitForStatus(o, token, busy, "expired");
  });
});
