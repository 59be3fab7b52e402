import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ CORS_ORIGINS: "https://app.example.com" });
});
afterAll(() => platform.dispose());

describe("the gateway as the one public origin", () => {
  it("routes the public API to the orchestrator and keeps the caller's request id", async () => {
    const token = await platform.orchestrator.token("alice");
    const res = await fetch(`${platform.gateway}/api/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-request-id": "trace-abc-123" },
      body: JSON.stringify({ files: helloApp }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-request-id")).toBe("trace-abc-123");
    const { generationId } = (await res.json()) as { generationId: string };
    const read = await callApi(platform.gateway, "GET", `/api/generations/${generationId}`, { token });
    expect(read.body.generationId).toBe(generationId);
  });

  it("passes the services' errors through in the one envelope", async () => {
    const res = await callApi(platform.gateway, "GET", "/api/generations/nope");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect((res.body as unknown as ErrorEnvelope).error.code).toBe("unauthorized");
    const unknown = await callApi(platform.gateway, "GET", "/nowhere");
    expect(unknown.status).toBe(404);
    expect((unknown.body as unknown as ErrorEnvelope).error.code).toBe("not_found");
  });

  it("answers 502 upstream_unreachable in the envelope when the service behind a route is down", async () => {
    const token = await platform.orchestrator.token("alice");
    // GATEWAY_LOGS_URL points at a closed port in this test platform.
    const res = await callApi(platform.gateway, "GET", "/api/generations/x/preview/logs", { token });
    expect(res.status).toBe(502);
    expect((res.body as unknown as ErrorEnvelope).error.code).toBe("upstream_unreachable");
  });

  it("allows the configured frontend origin, and only it", async () => {
    const preflight = await fetch(`${platform.gateway}/api/generations`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const port = new URL(platform.gateway).port;
    // Another site, a preview's origin, the platform's own origin: none gets a CORS grant.
    for (const origin of ["https://evil.example", `http://abcdefghij0123456789.preview.localhost:${port}`, platform.gateway, "null"]) {
      const other = await fetch(`${platform.gateway}/api/generations`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
      expect(other.headers.get("access-control-allow-origin"), origin).toBeNull();
    }
  });

  it("refuses to start with a preview's origin among the CORS origins", async () => {
    await expect(startTestPlatform({ CORS_ORIGINS: "https://app.example.com, http://abcdefghij0123456789.preview.localhost:8080" }))
      .rejects.toThrow(/GATEWAY_CORS_ORIGINS lists http:\/\/abcdefghij0123456789\.preview\.localhost:8080, a preview's origin/);
  });

  it("names PUBLIC_URL in its OpenAPI servers, whatever Host the request named", async () => {
    const res = await request(`${platform.gateway}/api/openapi.json`, { headers: { host: "localhost" } });
    const doc = (await res.body.json()) as { servers: Array<{ url: string }> };
    expect(doc.servers).toEqual([{ url: platform.gateway }]);
    const refused = await request(`${platform.gateway}/api/openapi.json`, { headers: { host: "attacker.example" } });
    expect(refused.statusCode).toBe(421);
    await refused.body.dump();
  });

  it("has a health check without auth", async () => {
    expect(await (await fetch(`${platform.gateway}/healthz`)).json()).toEqual({ ok: true, service: "gateway" });
  });
});
