import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { proxyProbeApp } from "../support/fixture-apps.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";

let platform: TestPlatform;
let preview: Awaited<ReturnType<TestPlatform["runPreview"]>>;
beforeAll(async () => {
  platform = await startTestPlatform({ UPSTREAM_TIMEOUT_MS: "1500" });
  preview = await platform.runPreview("alice", proxyProbeApp);
});
afterAll(() => platform.dispose());

const send = (json: Record<string, unknown>) =>
  callApi(platform.gateway, "POST", `/api/generations/${preview.generationId}/preview/request`, { token: preview.token, json });

describe("route 5: one request to the preview, described as JSON", () => {
  it("sends a GET with query parameters and returns the JSON body, status, headers and duration", async () => {
    const res = await send({ method: "GET", path: "/items/42", query: { q: "find me" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, data: { item_id: 42, q: "find me" } });
    expect((res.body.headers as Record<string, string>)["content-type"]).toBe("application/json");
    expect(typeof res.body.durationMs).toBe("number");
  });

  it("sends a JSON body as JSON", async () => {
    const res = await send({ method: "POST", path: "/items", body: { name: "widget", tags: ["a"] } });
    expect(res.body).toMatchObject({ statusCode: 200, data: { created: { name: "widget", tags: ["a"] } } });
  });

  it("puts the upstream's error status inside the envelope", async () => {
    const res = await send({ method: "GET", path: "/missing" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 404, data: { detail: "nope" } });
    const invalid = await send({ method: "GET", path: "/items/not-a-number" });
    expect(invalid.body.statusCode).toBe(422);
  });

  it("returns text as text and bytes as base64 with a flag", async () => {
    expect((await send({ method: "GET", path: "/text" })).body).toMatchObject({ data: "plain words" });
    const bytes = await send({ method: "GET", path: "/bytes" });
    expect(bytes.body.encoding).toBe("base64");
    expect(Buffer.from(bytes.body.data as string, "base64")).toEqual(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  });

  it("answers 504 in the envelope when the preview is too slow", async () => {
    const res = await send({ method: "GET", path: "/sleep", query: { seconds: "5" } });
    expect(res.status).toBe(504);
  });

  it("refuses an unknown method or field, naming it", async () => {
    const res = await send({ method: "BREW", path: "/" });
    expect(res.status).toBe(400);
    expect(JSON.stringify((res.body as unknown as ErrorEnvelope).error.details)).toContain("method");
    const extra = await send({ method: "GET", path: "/", follow: true });
    expect(extra.status).toBe(400);
  });

  it("answers 503 when the generation's preview is not running", async () => {
    await callApi(platform.gateway, "DELETE", `/api/generations/${preview.generationId}/preview`, { token: preview.token });
    const res = await send({ method: "GET", path: "/items/1" });
    expect(res.status).toBe(503);
    expect((res.body as unknown as ErrorEnvelope).error.code).toBe("preview_not_running");
  });
});
