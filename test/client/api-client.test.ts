import { execFileSync } from "node:child_process";
import getPort from "get-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPreviewClient, type PreviewClient } from "../../libs/client/api-client.ts";
import { openFetchEventSource } from "../../libs/client/fetch-event-source.ts";
import { type ConnectionState, PreviewLogStream } from "../../libs/client/log-stream.ts";
import type { LogLine } from "../../libs/logs/schemas.ts";
import { eventually } from "../support/api.ts";
import { helloApp, proxyProbeApp } from "../support/fixture-apps.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";

let platform: PlatformProcess;
let client: PreviewClient;
beforeAll(async () => {
  platform = await startPlatformProcess();
  const token = execFileSync("npm", ["run", "--silent", "token", "--", "client-user"], { env: platform.env }).toString().trim();
  client = createPreviewClient({ baseUrl: `${platform.gateway}/`, token: () => token });
});
afterAll(() => platform.stop());

const unwrap = <T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
};

describe("the typed API client against the real stack", () => {
  it("drives a preview's whole life, with errors as values", async () => {
    const created = unwrap(await client.createGeneration({ files: proxyProbeApp }));
    expect(unwrap(await client.getGeneration(created.generationId)).fileCount).toBe(1);
    const launched = unwrap(await client.launch(created.generationId, { wait: true }));
    expect(launched.status).toBe("running");
    expect(client.docsUrl(launched)).toBe(`${launched.baseUrl}/docs?previewToken=${encodeURIComponent(launched.previewToken)}`);
    expect(launched.baseUrl).toBe(`http://${launched.previewInstanceId}.preview.localhost:${new URL(platform.gateway).port}`);
    expect(client.programmaticUrl(launched)).toBe(`${platform.gateway}/p/${launched.previewInstanceId}/`);
    expect(unwrap(await client.status(created.generationId)).status).toBe("running");
    // GET /api/previews through the gateway: the caller's live preview, by both ids.
    const mine = unwrap(await client.listPreviews({ status: "live", limit: 5 }));
    expect(mine.previews.find((p) => p.generationId === created.generationId)).toMatchObject({ previewInstanceId: launched.previewInstanceId, status: "running" });
    expect(unwrap(await client.config(created.generationId)).runtime).toBe("host");
    expect(unwrap(await client.extend(created.generationId, { seconds: 60 })).extensionsRemaining).toBe(2);
    const endpoints = unwrap(await client.endpoints(created.generationId));
    expect(endpoints.endpoints.some((e) => e.path === "/items/{item_id}" && e.method === "GET")).toBe(true);
    const tried = unwrap(await client.request(created.generationId, { method: "GET", path: "/items/3", query: { q: "z" } }));
    expect(tried).toMatchObject({ statusCode: 200, data: { item_id: 3, q: "z" } });
    const history = unwrap(await client.logs(created.generationId, { limit: 500 }));
    expect(history.logs.some((l) => l.message.includes("Uvicorn running on"))).toBe(true);

    const again = await client.launch(created.generationId);
    expect(again.ok).toBe(false);
    if (!again.ok) {
      expect(again.error).toMatchObject({ status: 409, code: "preview_already_running" });
      expect(again.error.requestId).not.toBe("");
    }
    expect(unwrap(await client.stop(created.generationId)).status).toBe("stopped");
    const missing = await client.getGeneration("nope");
    expect(missing.ok ? undefined : missing.error.code).toBe("generation_not_found");
  });

  it("reports an unreachable gateway as a network error, not an exception", async () => {
    const port = await getPort(); // free: nobody listens there
    const offline = createPreviewClient({ baseUrl: `http://127.0.0.1:${port}`, token: () => "t" });
    const res = await offline.status("x");
    const url = `http://127.0.0.1:${port}/api/generations/x/preview/status`;
    expect(res.ok ? undefined : res.error).toMatchObject({ status: 0, code: "network_error", details: { url, cause: "ECONNREFUSED" } });
    // The message names the URL and why, not just "fetch failed".
    expect(res.ok ? "" : res.error.message).toBe(`No answer from GET ${url}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it("streams logs once each across a dropped connection, and ends on the final status", async () => {
    const created = unwrap(await client.createGeneration({ files: helloApp }));
    unwrap(await client.launch(created.generationId, { wait: true }));
    const lines: LogLine[] = [];
    const states: ConnectionState[] = [];
    const statuses: string[] = [];
    const sources: Array<ReturnType<typeof openFetchEventSource>> = [];
    const stream = new PreviewLogStream({
      client,
      generationId: created.generationId,
      open: (url) => {
        const source = openFetchEventSource(url);
        sources.push(source);
        return source;
      },
      onLine: (l) => lines.push(l),
      onStatus: (s) => statuses.push(s),
      onState: (s) => states.push(s),
      reopenAfterMs: 50,
    });
    await stream.start();
    await eventually(() => (lines.some((l) => l.message.includes("Uvicorn running on")) ? true : undefined), 20_000, "startup lines");

    // A drop the server did not ask for: the stream reopens after the last id it delivered.
    sources[0]?.close();
    sources[0]?.onerror?.({});
    await eventually(() => (sources.length > 1 ? true : undefined), 10_000, "a second connection");
    await client.request(created.generationId, { method: "GET", path: "/hello" });
    await eventually(() => (lines.some((l) => l.message.includes("hello was called")) ? true : undefined), 20_000, "a line after the drop");

    unwrap(await client.stop(created.generationId));
    await eventually(() => (states.includes("ended") ? true : undefined), 20_000, "the stream to end");
    const ids = lines.map((l) => l.id);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    expect(ids[0]).toBe(1);
    expect(ids.at(-1)).toBe(ids.length);
    expect(statuses.at(-1)).toBe("stopped");
    expect(states).toContain("reconnecting");
    expect(stream.lastEventId).toBe(ids.at(-1));
  });

  it("closes with the error when it cannot get a stream token", async () => {
    const errors: string[] = [];
    const states: ConnectionState[] = [];
    const stream = new PreviewLogStream({ client, generationId: "nope", open: openFetchEventSource, onError: (e) => errors.push(e.code), onState: (s) => states.push(s) });
    await stream.start();
    expect(errors).toEqual(["generation_not_found"]);
    expect(states.at(-1)).toBe("closed");
  });
});
