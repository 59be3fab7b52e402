import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";

let platform: PlatformProcess;
let token: string;
let generationId: string;
let document: { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { additionalProperties?: boolean } }> } }>> };
beforeAll(async () => {
  platform = await startPlatformProcess();
  token = execFileSync("npm", ["run", "--silent", "token", "--", "docs"], { env: platform.env }).toString().trim();
  generationId = (await callApi<{ generationId: string }>(platform.gateway, "POST", "/api/generations", { token, json: { files: helloApp } })).body.generationId;
  document = (await callApi<typeof document>(platform.gateway, "GET", "/api/openapi.json")).body;
});
afterAll(() => platform.stop());

describe("the API's own description", () => {
  it("is OpenAPI 3.1, with request bodies that refuse unknown fields as the services do", () => {
    expect(document.openapi).toBe("3.1.0");
    const launch = document.paths["/api/generations/{generationId}/preview/launch"]?.post?.requestBody?.content["application/json"]?.schema;
    expect(launch?.additionalProperties).toBe(false);
  });

  it("documents only routes that exist: every documented operation reaches a handler", async () => {
    const operations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith("/api/"))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path: path.replace("{generationId}", generationId) })));
    expect(operations.length).toBeGreaterThanOrEqual(14);
    for (const { method, path } of operations) {
      const res = await fetch(platform.gateway + path, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      const text = await (res.headers.get("content-type")?.includes("event-stream") ? Promise.resolve(void res.body?.cancel()).then(() => "") : res.text());
      const code = text.startsWith("{") ? (JSON.parse(text) as Partial<ErrorEnvelope>).error?.code : undefined;
      expect(code, `${method} ${path}`).not.toBe("not_found");
    }
  });

  it("has an interactive reference page whose every script and style is served by the platform itself (no CDN)", async () => {
    // test/web/page-views.test.ts drives it in Chromium (every operation shown, "Try it out" answered).
    const page = await fetch(`${platform.gateway}/api/reference`);
    const html = await page.text();
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(assets.filter((a) => !a.startsWith("/"))).toEqual([]);
    expect(assets.some((a) => /^\/assets\/swagger-ui-bundle\.[0-9a-f]{12}\.js$/.test(a))).toBe(true);
    for (const asset of assets) expect((await fetch(platform.gateway + asset)).status, asset).toBe(200);
  });
});
