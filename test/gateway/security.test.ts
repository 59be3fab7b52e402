import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { proxyProbeApp } from "../support/fixture-apps.ts";
import { originFetch, previewOriginOf } from "../support/preview-origin.ts";
import { testInternalToken } from "../support/test-orchestrator.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";

let platform: TestPlatform;
let alice: Awaited<ReturnType<TestPlatform["runPreview"]>>;
let bob: Awaited<ReturnType<TestPlatform["runPreview"]>>;
let stoppedToken: string;
let stoppedId: string;
let evil: Server;
let evilHits = 0;
let evilHost: string;
beforeAll(async () => {
  platform = await startTestPlatform();
  alice = await platform.runPreview("alice", proxyProbeApp);
  bob = await platform.runPreview("bob", proxyProbeApp);
  const gone = await platform.runPreview("carol", proxyProbeApp);
  await callApi(platform.gateway, "DELETE", `/api/generations/${gone.generationId}/preview`, { token: gone.token });
  stoppedToken = gone.previewToken;
  stoppedId = gone.previewId;
  // Another host on this machine: no request may ever reach it through the platform.
  evil = createServer((_req, res) => { evilHits++; res.end("evil"); });
  await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
  evilHost = `127.0.0.1:${(evil.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => evil.close(r));
  await platform.dispose();
});

/** A request on the preview's own origin (the host `{id}.preview.localhost`, on the gateway's port). */
const proxied = (previewId: string, token: string | undefined, extra: Record<string, string> = {}) =>
  originFetch(`${previewOriginOf(platform.gateway, previewId)}/items/1`, { redirect: "manual", headers: { ...extra, ...(token === undefined ? {} : { "x-preview-token": token }) } });

describe("what the gateway refuses", () => {
  it.each([
    ["no preview token", () => proxied(alice.previewId, undefined), 401, "invalid_preview_token"],
    ["a wrong preview token", () => proxied(alice.previewId, "x".repeat(32)), 401, "invalid_preview_token"],
    ["another preview's token", () => proxied(alice.previewId, bob.previewToken), 401, "invalid_preview_token"],
    ["the user's own JWT instead of a preview token", () => proxied(alice.previewId, undefined, { authorization: `Bearer ${alice.token}` }), 401, "invalid_preview_token"],
    ["another preview's hand-off cookie", () => proxied(alice.previewId, undefined, { cookie: `preview_token=${bob.previewToken}` }), 401, "invalid_preview_token"],
    ["on /p/{id}/, the hand-off cookie without X-Preview-Token (POST)", () => fetch(`${platform.gateway}/p/${alice.previewId}/items`, { method: "POST", headers: { cookie: `preview_token=${alice.previewToken}` } }), 401, "invalid_preview_token"],
    ["on /p/{id}/, another preview's token", () => fetch(`${platform.gateway}/p/${alice.previewId}/items/1`, { headers: { "x-preview-token": bob.previewToken } }), 401, "invalid_preview_token"],
    ["a stopped preview's token", () => proxied(stoppedId, stoppedToken), 503, "preview_not_running"],
    ["an unknown preview id", () => proxied("doesnotexist00000000", alice.previewToken), 503, "preview_not_running"],
    ["a hand-off with a wrong token", () => originFetch(`${previewOriginOf(platform.gateway, alice.previewId)}/?previewToken=nope`, { redirect: "manual" }), 401, "invalid_preview_token"],
  ] as const)("%s", async (_name, send, status, code) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(((await res.json()) as ErrorEnvelope).error.code).toBe(code);
  });

  it.each([
    "/internal/previews/x/touch",
    "/internal/extract",
    "/api/../internal/previews/x/touch",
    "/%69nternal/previews/x/touch",
    "/internal%2fpreviews/x/touch",
  ])("never routes %s, even with the internal token", async (path) => {
    const res = await fetch(`${platform.gateway}${path}`, { method: "POST", headers: { "x-internal-token": testInternalToken } });
    expect(res.status).toBe(404);
  });

  it("answers another user's generation on route 5 as if it did not exist", async () => {
    const res = await callApi(platform.gateway, "POST", `/api/generations/${alice.generationId}/preview/request`, { token: bob.token, json: { method: "GET", path: "/items/1" } });
    expect(res.status).toBe(404);
    expect((res.body as unknown as ErrorEnvelope).error.code).toBe("generation_not_found");
  });

  it.each([
    () => `@${evilHost}/x`,
    () => `//${evilHost}/x`,
    () => `http://${evilHost}/x`,
    () => `/..%2f..%2finternal/x`,
    () => `/items/../../x`,
    () => `/%2e%2e/x`,
    () => `/x?redirect=http://${evilHost}`,
    () => `/x\\..\\y`,
    () => `items/1`,
  ])("route 5 refuses path trick %#, and nothing reaches another host", async (trick) => {
    const path = trick();
    const res = await callApi(platform.gateway, "POST", `/api/generations/${alice.generationId}/preview/request`, { token: alice.token, json: { method: "GET", path } });
    expect(res.status).toBe(400);
    expect((res.body as unknown as ErrorEnvelope).error.details).toMatchObject({ field: "path" });
    expect(evilHits).toBe(0);
  });

  it("route 5 passes the app's own Authorization and cookies to it, never the user's platform JWT", async () => {
    const res = await callApi<{ data: { headers: Array<[string, string]> } }>(platform.gateway, "POST", `/api/generations/${alice.generationId}/preview/request`, {
      token: alice.token,
      json: { method: "GET", path: "/echo/headers", headers: { authorization: "Bearer the-apps-own-jwt", cookie: "app_session=s3" } },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.headers).toContainEqual(["authorization", "Bearer the-apps-own-jwt"]);
    expect(res.body.data.headers).toContainEqual(["cookie", "app_session=s3"]);
    expect(res.body.data.headers).toContainEqual(["host", new URL(previewOriginOf(platform.gateway, alice.previewId)).host]);
    expect(JSON.stringify(res.body)).not.toContain(alice.token);
  });

  it("the JSON request route reaches only the preview, with the user's JWT", async () => {
    expect((await callApi(platform.gateway, "POST", `/api/generations/${alice.generationId}/preview/request`, { json: { method: "GET", path: "/items/1" } })).status).toBe(401);
    const res = await callApi(platform.gateway, "POST", `/api/generations/${alice.generationId}/preview/request`, { token: alice.token, json: { method: "GET", path: "/echo/headers" } });
    const echoed = JSON.stringify(res.body);
    expect(echoed).not.toContain(alice.token);
    expect(echoed).not.toContain(alice.previewToken);
    expect(evilHits).toBe(0);
  });
});
