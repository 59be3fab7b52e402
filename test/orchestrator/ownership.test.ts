import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Jwt } from "hono/utils/jwt";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { launch, previewPath, upload } from "../support/previews.ts";
import { startTestOrchestrator, testInternalToken, testJwtSecret, type TestOrchestrator } from "../support/test-orchestrator.ts";

let o: TestOrchestrator;
let alice: string;
let bob: string;
let generationId: string;
beforeAll(async () => {
  o = await startTestOrchestrator();
  alice = await o.token("alice");
  bob = await o.token("bob");
  generationId = await upload(o, alice, helloApp);
  expect((await launch(o, alice, generationId, { wait: true })).status).toBe(200);
});
afterAll(() => o.dispose());

const routes = (g: string) => [
  { method: "GET", path: `/api/generations/${g}` },
  { method: "POST", path: `${previewPath(g)}/launch`, json: {} },
  { method: "GET", path: `${previewPath(g)}/status` },
  { method: "DELETE", path: previewPath(g) },
  { method: "GET", path: `${previewPath(g)}/config` },
  { method: "POST", path: `${previewPath(g)}/extend`, json: {} },
];

describe("ownership and authentication on every route", () => {
  it.each(routes("GEN").map((r) => [`${r.method} ${r.path}`, r] as const))("%s: another user's generation is a 404", async (_name, route) => {
    const path = route.path.replace("GEN", generationId);
    const res = await callApi(o.url, route.method, path, { token: bob, ...(route.json ? { json: route.json } : {}) });
    expect(res.status).toBe(404);
    expect((res.body as unknown as ErrorEnvelope).error.code).toBe("generation_not_found");
  });

  it("answers a missing id exactly like another user's, so ids cannot be probed", async () => {
    const foreign = await callApi(o.url, "GET", `${previewPath(generationId)}/status`, { token: bob });
    const missing = await callApi(o.url, "GET", `${previewPath("doesnotexist0000000")}/status`, { token: bob });
    expect(foreign.status).toBe(missing.status);
    expect((foreign.body as unknown as ErrorEnvelope).error.code).toBe((missing.body as unknown as ErrorEnvelope).error.code);
    expect((foreign.body as unknown as ErrorEnvelope).error.message).toBe((missing.body as unknown as ErrorEnvelope).error.message);
  });

  it("the owner still has the running preview after all of bob's attempts", async () => {
    const res = await callApi(o.url, "GET", `${previewPath(generationId)}/status`, { token: alice });
    expect(res.body.status).toBe("running");
  });

  const now = Math.floor(Date.now() / 1000);
  const badTokens = [
    ["no token", undefined],
    ["garbage", "not-a-jwt"],
    ["wrong secret", () => Jwt.sign({ sub: "alice", exp: now + 600 }, "another-secret", "HS256")],
    ["expired", () => Jwt.sign({ sub: "alice", exp: now - 60 }, testJwtSecret, "HS256")],
    ["no expiry", () => Jwt.sign({ sub: "alice" }, testJwtSecret, "HS256")],
    ["no subject", () => Jwt.sign({ exp: now + 600 }, testJwtSecret, "HS256")],
  ] as const;
  it.each(badTokens)("%s → 401 with WWW-Authenticate on every route", async (_name, make) => {
    const token = typeof make === "function" ? await make() : make;
    for (const route of [{ method: "POST", path: "/api/generations", json: { files: helloApp } }, ...routes(generationId)]) {
      const res = await callApi(o.url, route.method, route.path, { ...(token === undefined ? {} : { token }), ...(route.json ? { json: route.json } : {}) });
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect((res.body as unknown as ErrorEnvelope).error.code).toBe("unauthorized");
    }
  });

  it("internal routes need the internal token and otherwise do not exist", async () => {
    const previewId = (await callApi(o.url, "GET", `${previewPath(generationId)}/status`, { token: alice })).body.previewInstanceId as string;
    const touch = `/internal/previews/${previewId}/touch`;
    expect((await callApi(o.url, "POST", touch)).status).toBe(404);
    expect((await callApi(o.url, "POST", touch, { token: alice })).status).toBe(404);
    expect((await callApi(o.url, "POST", touch, { headers: { "x-internal-token": "wrong" } })).status).toBe(404);
    expect((await callApi(o.url, "POST", touch, { headers: { "x-internal-token": testInternalToken } })).status).toBe(204);
    expect((await callApi(o.url, "POST", "/internal/previews/unknown/touch", { headers: { "x-internal-token": testInternalToken } })).status).toBe(404);

    const route = await callApi(o.url, "GET", `/internal/previews/${previewId}`, { headers: { "x-internal-token": testInternalToken } });
    expect(route.body).toMatchObject({ previewInstanceId: previewId, generationId, userId: "alice", status: "running", upstream: { kind: "tcp", host: "127.0.0.1" } });
    const asBob = await callApi(o.url, "GET", `/internal/generations/${generationId}/preview?userId=bob`, { headers: { "x-internal-token": testInternalToken } });
    expect(asBob.status).toBe(404);
    const asAlice = await callApi(o.url, "GET", `/internal/generations/${generationId}/preview?userId=alice`, { headers: { "x-internal-token": testInternalToken } });
    expect(asAlice.body).toMatchObject({ previewInstanceId: previewId, status: "running" });
  });
});
