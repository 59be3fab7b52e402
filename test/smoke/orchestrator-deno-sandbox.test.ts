import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { proxyProbeApp } from "../support/fixture-apps.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { pidsMatching } from "../support/processes.ts";
import { serviceProcess } from "../support/service-processes.ts";
import { imagesDir, requireImage } from "../sandbox/support.ts";

const run = promisify(execFile);

// The orchestrator under Deno launching sandboxed previews (bwrap, a Unix socket per preview):
// it used to die on its first launch for want of a Deno permission (the socket, then /proc).
let platform: PlatformProcess;
let token: string;
beforeAll(async () => {
  requireImage();
  platform = await startPlatformProcess({
    env: { ORCHESTRATOR_JS_RUNTIME: "deno", ORCHESTRATOR_RUNTIME: "sandbox", ORCHESTRATOR_RUNTIME_IMAGE_DIR: imagesDir, ORCHESTRATOR_RUNTIME_AUTO_BUILD: "false" },
  });
  token = (await run("npm", ["run", "--silent", "token", "--", "alice"], { env: platform.env })).stdout.trim();
});
afterAll(async () => {
  expect(await platform.stop()).toBe(0);
});

describe("the orchestrator on Deno with the sandbox runtime", () => {
  it("launches a sandboxed preview, serves it through the proxy, logs its requests, survives kill -9 of the orchestrator and stops it", async () => {
    const orchestrator = serviceProcess(platform.dataDir, "orchestrator");
    expect(readFileSync(`/proc/${orchestrator?.pid ?? -1}/cmdline`, "utf8")).toContain("deno");
    const created = await callApi<{ generationId: string }>(platform.gateway, "POST", "/api/generations", { token, json: { files: proxyProbeApp } });
    const { generationId } = created.body;
    const launched = await callApi(platform.gateway, "POST", `/api/generations/${generationId}/preview/launch`, { token, json: { wait: true } });
    expect(launched.status).toBe(200);
    expect(launched.body.status).toBe("running");
    const previewId = launched.body.previewInstanceId as string;
    const settings = await callApi(platform.gateway, "GET", `/api/generations/${generationId}/preview/config`, { token });
    expect(settings.body.runtime).toBe("sandbox");

    const item = await callApi(platform.gateway, "GET", `/p/${previewId}/items/5`, { headers: { "x-preview-token": launched.body.previewToken as string } });
    expect(item.status).toBe(200);
    expect(item.body).toMatchObject({ item_id: 5 });
    await eventually(async () => {
      const page = await callApi<{ logs: Array<{ message: string }> }>(platform.gateway, "GET", `/api/generations/${generationId}/preview/logs`, { token });
      return page.body.logs?.some((l) => l.message.includes("/items/5")) ? true : undefined;
    }, 30_000, "the access line in the logs");

    // kill -9 of the Deno orchestrator: the runner starts another, which re-adopts the sandboxed preview.
    process.kill(orchestrator?.pid ?? -1, "SIGKILL");
    await eventually(() => {
      const now = serviceProcess(platform.dataDir, "orchestrator");
      return now !== undefined && now.pid !== orchestrator?.pid ? now : undefined;
    }, 90_000, "a new orchestrator");
    const again = await eventually(async () => {
      const res = await callApi(platform.gateway, "GET", `/api/generations/${generationId}/preview/status`, { token });
      return res.status === 200 ? res.body : undefined;
    }, 90_000, "the new orchestrator to answer");
    expect(again).toMatchObject({ status: "running", previewInstanceId: previewId });
    const itemAgain = await callApi(platform.gateway, "GET", `/p/${previewId}/items/6`, { headers: { "x-preview-token": launched.body.previewToken as string } });
    expect(itemAgain.body).toMatchObject({ item_id: 6 });

    const stopped = await callApi(platform.gateway, "DELETE", `/api/generations/${generationId}/preview`, { token });
    expect(stopped.body.status).toBe("stopped");
    await eventually(() => (pidsMatching(previewId).length === 0 ? true : undefined), 30_000, "the sandbox to be gone");
  }, 300_000);
});
