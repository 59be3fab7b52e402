import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { originFetch } from "../support/preview-origin.ts";
import { pidsOfPreview, pidsUsingDataDir } from "../support/processes.ts";

const run = promisify(execFile);

let platform: PlatformProcess;
beforeAll(async () => {
  platform = await startPlatformProcess();
});
afterAll(() => platform.stop());

describe("npm start and npm run token, as the README says", () => {
  it("serves the API through the gateway, with a token from `npm run token`", async () => {
    const { stdout } = await run("npm", ["run", "--silent", "token", "--", "alice"], { env: platform.env });
    const token = stdout.trim();
    const created = await callApi<{ generationId: string }>(platform.gateway, "POST", "/api/generations", { token, json: { files: helloApp } });
    expect(created.status).toBe(201);
    const launched = await callApi(platform.gateway, "POST", `/api/generations/${created.body.generationId}/preview/launch`, { token, json: { wait: true } });
    expect(launched.status).toBe(200);
    expect(launched.body.status).toBe("running");
    const previewId = launched.body.previewInstanceId as string;
    expect(pidsOfPreview(platform.dataDir, previewId)).toHaveLength(1);
    // Served at its own origin, which the orchestrator and the gateway both derive from PUBLIC_URL.
    expect(launched.body.baseUrl).toBe(`http://${previewId}.preview.localhost:${new URL(platform.gateway).port}`);
    const hello = await originFetch(`${launched.body.baseUrl as string}/hello`, { headers: { "x-preview-token": launched.body.previewToken as string } });
    expect(await hello.json()).toEqual({ message: "hi" });
    // The service processes (the runner and one node per service) and the preview, all traceable to this DATA_DIR.
    expect(pidsUsingDataDir(platform.dataDir).length).toBeGreaterThanOrEqual(4);
  });

  it("never routes internal paths from outside", async () => {
    const res = await callApi(platform.gateway, "POST", "/internal/previews/x/touch");
    expect(res.status).toBe(404);
    expect((res.body as unknown as ErrorEnvelope).error.code).toBe("not_found");
  });

  it("stops every service and preview on SIGTERM, leaving no process and no WAL file", async () => {
    platform.process.kill("SIGTERM");
    expect(await platform.exited).toBe(0);
    await eventually(() => (pidsUsingDataDir(platform.dataDir).length === 0 ? true : undefined), 20_000, "no process left");
    expect(readdirSync(join(platform.dataDir, "previews"))).toEqual([]);
    expect(existsSync(join(platform.dataDir, "orchestrator.db-wal"))).toBe(false);
  });
});
