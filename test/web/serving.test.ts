import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi } from "../support/api.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";

let off: TestPlatform;
let on: TestPlatform;
beforeAll(async () => {
  [off, on] = await Promise.all([startTestPlatform(), startTestPlatform({ LOCAL_MODE: "true" })]);
});
afterAll(async () => {
  await Promise.all([off?.dispose(), on?.dispose()]);
});

describe("the page at /", () => {
  it("serves index.html (revalidated) naming hashed assets that are cached for good", async () => {
    const res = await fetch(`${off.gateway}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).toContain('data-local-mode="false"');
    const script = /src="(\/assets\/app\.[0-9a-f]{12}\.js)"/.exec(html)?.[1] ?? "";
    const styles = /href="(\/assets\/styles\.[0-9a-f]{12}\.css)"/.exec(html)?.[1] ?? "";
    for (const [path, type] of [[script, "text/javascript"], [styles, "text/css"]] as const) {
      const asset = await fetch(`${off.gateway}${path}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toContain(type);
      expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect((await asset.text()).length).toBeGreaterThan(100);
    }
    const missing = await callApi<{ error: { code: string } }>(off.gateway, "GET", "/assets/app.000000000000.js");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
  });
});

describe("POST /api/dev/token (local mode only)", () => {
  it("does not exist when local mode is off (the default)", async () => {
    const res = await callApi<{ error: { code: string } }>(off.gateway, "POST", "/api/dev/token");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    // Signed in or not, it is not there.
    const token = await off.orchestrator.token("alice");
    expect((await callApi(off.gateway, "POST", "/api/dev/token", { token })).status).toBe(404);
  });

  it("gives the page a working token for the user `local` when local mode is on", async () => {
    const res = await callApi<{ token: string; userId: string; expiresAt: string }>(on.gateway, "POST", "/api/dev/token");
    expect(res.status).toBe(200);
    expect(res.body.userId).toBe("local");
    expect(res.headers.get("cache-control")).toBe("no-store");
    // The token is accepted by the API: an unknown generation is a 404, not a 401.
    const probe = await callApi<{ error: { code: string } }>(on.gateway, "GET", "/api/generations/nope", { token: res.body.token });
    expect(probe.status).toBe(404);
    expect(probe.body.error.code).toBe("generation_not_found");
    expect(await (await fetch(`${on.gateway}/`)).text()).toContain('data-local-mode="true"');
  });

  it("refuses another site's page", async () => {
    const res = await callApi(on.gateway, "POST", "/api/dev/token", { headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(403);
  });
});
