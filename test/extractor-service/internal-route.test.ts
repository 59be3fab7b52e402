// The extractor service's own route: peers only, a validated and size-capped body, the library's answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { testInternalToken } from "../support/test-orchestrator.ts";
import { extractorFixture, filesOf, startTestExtractor, type TestExtractor } from "./support.ts";

let service: TestExtractor;
let small: TestExtractor;
beforeAll(async () => {
  service = await startTestExtractor();
  small = await startTestExtractor({ MAX_BODY_BYTES: "2048" });
});
afterAll(async () => {
  await service.dispose();
  await small.dispose();
});

const internal = { "x-internal-token": testInternalToken };
const extract = (json: unknown, headers: Record<string, string> = internal, url = service.url) =>
  callApi<Record<string, unknown>>(url, "POST", "/internal/extract", { json, headers });
const issueFields = (body: unknown) =>
  ((body as ErrorEnvelope).error.details?.["issues"] as Array<{ field: string }>).map((i) => i.field);

describe("POST /internal/extract", () => {
  it("answers /healthz without credentials", async () => {
    const res = await callApi(service.url, "GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, service: "extractor" });
  });

  it("does not exist without the internal token, or with a wrong one", async () => {
    const files = filesOf(extractorFixture("basic"));
    for (const headers of [{}, { "x-internal-token": "not-the-token" }]) {
      const res = await extract({ files }, headers);
      expect(res.status).toBe(404);
      expect((res.body as unknown as ErrorEnvelope).error.code).toBe("not_found");
    }
  });

  it("returns exactly what the library finds in the same files", async () => {
    const files = filesOf(extractorFixture("package_routers"));
    const res = await extract({ files });
    expect(res.status).toBe(200);
    const expected = extractEndpoints(files);
    expect(expected.endpoints.length).toBeGreaterThan(0);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(expected)));
    // The worker's JSON is the answer as it came: the same bytes as the library's result stringified.
    const raw = await fetch(`${service.url}/internal/extract`, { method: "POST", headers: { ...internal, "content-type": "application/json" }, body: JSON.stringify({ files }) });
    expect(raw.headers.get("content-type")).toBe("application/json");
    expect(await raw.text()).toBe(JSON.stringify(expected));
  });

  it("passes the entry on", async () => {
    const files = filesOf(extractorFixture("explicit_entry"));
    const res = await extract({ files, entry: "admin_main:admin" });
    expect(res.status).toBe(200);
    const expected = extractEndpoints(files, { entry: "admin_main:admin" });
    expect(expected).not.toEqual(extractEndpoints(files));
    expect(res.body).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it("passes the preview's environment on: settings read from it decide the routes", async () => {
    const files = filesOf(extractorFixture("environment"));
    const env = { APP_DOCS_ENABLED: "false", APP_ADMIN: "true" };
    const res = await extract({ files, env });
    expect(res.status).toBe(200);
    const expected = extractEndpoints(files, { env });
    expect(expected).not.toEqual(extractEndpoints(files));
    expect(res.body).toEqual(JSON.parse(JSON.stringify(expected)));
    const paths = (res.body["endpoints"] as Array<{ path: string }>).map((endpoint) => endpoint.path);
    expect(paths).toContain("/admin/stats");
    expect(paths).not.toContain("/docs");
  });

  it("rejects a body of the wrong shape with a 400 that names the field", async () => {
    const cases: Array<[unknown, string]> = [
      [{}, "files"],
      [{ files: { "main.py": 42 } }, "files.main.py"],
      [{ files: {}, entry: "" }, "entry"],
      [{ files: {}, extra: true }, "extra"],
      [{ files: {}, env: { DEBUG: true } }, "env.DEBUG"],
    ];
    for (const [json, field] of cases) {
      const res = await extract(json);
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect((res.body as unknown as ErrorEnvelope).error.code).toBe("invalid_request");
      expect(issueFields(res.body), JSON.stringify(json)).toContain(field);
    }
  });

  it("rejects a body that is not JSON", async () => {
    const res = await callApi(service.url, "POST", "/internal/extract", { rawBody: "{files", headers: { ...internal, "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect((res.body as unknown as ErrorEnvelope).error.message).toMatch(/not valid JSON/);
  });

  it("refuses a body over its configured limit with a 413", async () => {
    const res = await extract({ files: { "main.py": "x = 1\n".repeat(1000) } }, internal, small.url);
    expect(res.status).toBe(413);
    expect((res.body as unknown as ErrorEnvelope).error).toMatchObject({ code: "payload_too_large", details: { limitBytes: 2048 } });
    const fits = await extract({ files: { "main.py": "from fastapi import FastAPI\napp = FastAPI()\n" } }, internal, small.url);
    expect(fits.status).toBe(200);
  });
});
