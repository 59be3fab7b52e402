import { gunzipSync } from "node:zlib";
import { request } from "undici";
import { acceptsGzip } from "../../services/web/accept-encoding.ts";
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
    const csp = res.headers.get("content-security-policy") ?? "";
    for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) expect(csp).toContain(directive);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
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

  it("sends each asset gzipped to a client that takes gzip, and as is to one that does not", async () => {
    const html = await (await fetch(`${off.gateway}/`)).text();
    const script = /src="(\/assets\/app\.[0-9a-f]{12}\.js)"/.exec(html)?.[1] ?? "";
    // undici's request leaves the body as sent (fetch would decode it).
    const get = async (acceptEncoding?: string) => {
      const res = await request(`${off.gateway}${script}`, { headers: acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding } });
      return { encoding: res.headers["content-encoding"], vary: res.headers.vary, body: Buffer.from(await res.body.arrayBuffer()) };
    };
    const plain = await get();
    expect(plain.encoding).toBeUndefined();
    expect(plain.vary).toBe("accept-encoding");
    const zipped = await get("gzip, deflate, br, zstd");
    expect(zipped.encoding).toBe("gzip");
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect((await get("br, gzip;q=0")).encoding).toBeUndefined();
    expect((await get("*")).encoding).toBe("gzip");
  });

  it("reads Accept-Encoding as RFC 9110 says: q-values, x-gzip, `*`, refusal by name", () => {
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip("")).toBe(false);
    expect(acceptsGzip("identity")).toBe(false);
    expect(acceptsGzip("GZIP")).toBe(true);
    expect(acceptsGzip("x-gzip")).toBe(true);
    expect(acceptsGzip("gzip;q=0.5")).toBe(true);
    expect(acceptsGzip("gzip; q=0")).toBe(false);
    expect(acceptsGzip("*;q=0.1")).toBe(true);
    expect(acceptsGzip("*, gzip;q=0")).toBe(false);
    expect(acceptsGzip("*;q=0")).toBe(false);
  });
});

describe("the API reference at /api/reference", () => {
  it("is Swagger UI from the platform's own hashed assets (no CDN, no source-map names), started over /api/openapi.json, signed in only in local mode", async () => {
    for (const [platform, localMode] of [[off, "false"], [on, "true"]] as const) {
      const res = await fetch(`${platform.gateway}/api/reference`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      const csp = res.headers.get("content-security-policy") ?? "";
      for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) expect(csp).toContain(directive);
      const html = await res.text();
      expect(html).toContain(`data-local-mode="${localMode}"`);
      const bundle = /src="(\/assets\/swagger-ui-bundle\.[0-9a-f]{12}\.js)"/.exec(html)?.[1] ?? "";
      const styles = /href="(\/assets\/swagger-ui\.[0-9a-f]{12}\.css)"/.exec(html)?.[1] ?? "";
      const starter = /src="(\/assets\/reference\.[0-9a-f]{12}\.js)"/.exec(html)?.[1] ?? "";
      const bodies = await Promise.all([bundle, styles, starter].map(async (path) => {
        const asset = await fetch(`${platform.gateway}${path}`);
        expect(asset.status, path).toBe(200);
        expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
        return asset.text();
      }));
      const [bundleJs = "", css = "", starterJs = ""] = bodies;
      // Booleans: a failure must not print megabytes of asset.
      expect(bundleJs.includes("SwaggerUIBundle")).toBe(true);
      expect(/sourceMappingURL=\S+\s*$/.test(bundleJs)).toBe(false);
      expect(css.includes("sourceMappingURL")).toBe(false);
      expect(css.includes(".swagger-ui")).toBe(true);
      expect(starterJs.includes("/api/openapi.json")).toBe(true);
      expect(starterJs.includes("/api/dev/token")).toBe(true);
    }
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

/** A request as a DNS-rebound page sends it: to 127.0.0.1, but naming its own host (fetch cannot set Host). */
const asHost = async (gateway: string, method: string, path: string, headers: Record<string, string>) => {
  const res = await request(`${gateway}${path}`, { method: method as "POST", headers });
  const body = await res.body.text();
  return { status: res.statusCode, body: body === "" ? undefined : (JSON.parse(body) as { error: { code: string; message: string } }) };
};

describe("DNS rebinding: the local-mode routes", () => {
  let wide: TestPlatform;
  beforeAll(async () => {
    // attacker.example also named a platform host (as behind a proxy): the local-mode check must hold on its own.
    wide = await startTestPlatform({ LOCAL_MODE: "true" }, {}, { PLATFORM_HOSTS: "platform.example, attacker.example" });
  });
  afterAll(() => wide?.dispose());

  const localModeRoutes = [["POST", "/api/dev/token"], ["GET", "/api/dev/token"], ["POST", "/api/dev/anything"]] as const;

  it.each(localModeRoutes)("refuses %s %s for a Host the gateway is not configured for (421)", async (method, path) => {
    const port = new URL(on.gateway).port;
    const res = await asHost(on.gateway, method, path, { host: `attacker.example:${port}`, origin: `http://attacker.example:${port}` });
    expect(res.status).toBe(421);
    expect(res.body?.error.code).toBe("unknown_host");
  });

  it.each(localModeRoutes)("refuses %s %s on a non-loopback platform host, and from another origin on a loopback one (403)", async (method, path) => {
    const port = new URL(wide.gateway).port;
    for (const headers of [
      { host: `attacker.example:${port}`, origin: `http://attacker.example:${port}` },
      { host: `attacker.example:${port}` },
      { host: `127.0.0.1:${port}`, origin: `http://attacker.example:${port}` },
      { host: `127.0.0.1:${port}`, origin: "null" },
    ]) {
      const res = await asHost(wide.gateway, method, path, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body?.error.code).toBe("forbidden");
    }
    // The page itself, on a loopback host, still signs in.
    const page = await asHost(wide.gateway, "POST", "/api/dev/token", { host: `localhost:${port}`, origin: `http://localhost:${port}` });
    expect(page.status).toBe(200);
  });

  it("does not answer the dev token to a preview's origin", async () => {
    const port = new URL(on.gateway).port;
    const res = await asHost(on.gateway, "POST", "/api/dev/token", { host: `abcdefghij0123456789.preview.localhost:${port}`, origin: `http://abcdefghij0123456789.preview.localhost:${port}` });
    // Routed to that preview (none runs there), never to the platform's route.
    expect(res.status).toBe(503);
    expect(res.body?.error.code).toBe("preview_not_running");
  });
});
