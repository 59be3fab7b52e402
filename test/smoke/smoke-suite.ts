import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi } from "../support/api.ts";
import { proxyProbeApp } from "../support/fixture-apps.ts";
import { type PlatformProcess, type PlatformProcessOptions, startPlatformProcess } from "../support/platform-process.ts";
import { originFetch } from "../support/preview-origin.ts";
import { serviceRuntimes } from "../support/service-processes.ts";
import { readEvents } from "./sse-reader.ts";

/**
 * The end-to-end smoke suite, run against every way the platform can be deployed: only the
 * public API, through the gateway — upload, launch, logs stream with resume, the proxy to
 * /docs, endpoints, stop.
 */
export const defineSmokeSuite = (deployment: string, options: PlatformProcessOptions) =>
  describe(`smoke: ${deployment}`, () => {
    let platform: PlatformProcess;
    let token: string;
    let generationId: string;
    let launched: Record<string, unknown>;
    beforeAll(async () => {
      platform = await startPlatformProcess(options);
      token = execFileSync("npm", ["run", "--silent", "token", "--", "smoke"], { env: platform.env }).toString().trim();
    });
    afterAll(async () => {
      expect(await platform.stop()).toBe(0);
    });
    const api = (method: string, path: string, json?: unknown) =>
      callApi(platform.gateway, method, path, { token, ...(json === undefined ? {} : { json }) });

    it("uploads and launches a project", async () => {
      const created = await api("POST", "/api/generations", { files: proxyProbeApp });
      expect(created.status).toBe(201);
      generationId = created.body.generationId as string;
      // Listed from the source before it runs: the extractor (on its runtime) read the upload.
      const listed = await api("GET", `/api/generations/${generationId}/endpoints`);
      expect(listed.body).toMatchObject({ source: "static", endpoints: expect.arrayContaining([expect.objectContaining({ method: "GET", path: "/items/{item_id}" })]) });
      const res = await api("POST", `/api/generations/${generationId}/preview/launch`, { wait: true });
      expect(res.status).toBe(200);
      launched = res.body;
      expect(launched.status).toBe("running");
    });

    it("runs each service on the JS runtime chosen for it", () => {
      const chosen = (service: string) => options.env?.[`${service.toUpperCase()}_JS_RUNTIME`] ?? options.env?.PLATFORM_JS_RUNTIME ?? "node";
      const running = serviceRuntimes(platform.process.pid ?? 0);
      const services = options.script === "start:all-in-one" ? ["all-in-one"] : ["gateway", "logs", "extractor", "orchestrator"];
      expect(new Set(running.map((r) => r.service))).toEqual(new Set(services));
      expect(running).toEqual(running.map((r) => ({ service: r.service, runtime: chosen(r.service) })));
    });

    it("streams the logs, and resumes after the last id with no gap and no duplicate", async () => {
      const { body } = await api("POST", `/api/generations/${generationId}/preview/logs/token`);
      const stream = `${platform.gateway}/api/generations/${generationId}/preview/logs/stream?token=${encodeURIComponent(body.token as string)}`;
      const first = await fetch(stream);
      expect(first.headers.get("content-type")).toContain("text/event-stream");
      const before = await readEvents(first, (events) => events.some((e) => e.data.includes("Uvicorn running on")));
      const lastId = Number(before.filter((e) => e.event === "log").at(-1)?.id);
      await callApi(platform.gateway, "GET", `/p/${launched.previewInstanceId as string}/items/5`, { headers: { "x-preview-token": launched.previewToken as string } });
      const resumed = await readEvents(await fetch(stream, { headers: { "last-event-id": String(lastId) } }),
        (events) => events.some((e) => e.data.includes("GET /items/5")));
      const ids = resumed.filter((e) => e.event === "log").map((e) => Number(e.id));
      expect(ids[0]).toBe(lastId + 1);
      expect(ids).toEqual(ids.map((_, i) => lastId + 1 + i));
    });

    it("serves the preview's /docs on its own origin after the token hand-off", async () => {
      const origin = launched.baseUrl as string;
      expect(origin).toBe(`http://${launched.previewInstanceId as string}.preview.localhost:${new URL(platform.gateway).port}`);
      const handoff = await originFetch(`${origin}/docs?previewToken=${launched.previewToken as string}`, { redirect: "manual" });
      expect(handoff.status).toBe(302);
      expect(handoff.headers.get("location")).toBe("/docs");
      const cookie = (handoff.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const docs = await originFetch(`${origin}/docs`, { headers: { cookie } });
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain("url: '/openapi.json'");
    });

    it("lists the endpoints", async () => {
      const res = await api("GET", `/api/generations/${generationId}/preview/endpoints`);
      expect(res.body.source).toBe("live");
      const endpoints = res.body.endpoints as Array<{ method: string; path: string }>;
      expect(endpoints).toContainEqual(expect.objectContaining({ method: "GET", path: "/items/{item_id}" }));
      expect(endpoints).toContainEqual(expect.objectContaining({ method: "WEBSOCKET", path: "/ws" }));
    });

    it("stops the preview", async () => {
      expect((await api("DELETE", `/api/generations/${generationId}/preview`)).body.status).toBe("stopped");
      expect((await api("GET", `/api/generations/${generationId}/preview/status`)).body.status).toBe("stopped");
    });
  });
