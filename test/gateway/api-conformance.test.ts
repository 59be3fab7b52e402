import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigProvider, Effect, Schema } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiRoute, apiRoutes } from "../../libs/api/routes.ts";
import { ErrorEnvelope } from "../../libs/api/views.ts";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { makeOrigins } from "../../libs/config/origins.ts";
import { apiErrorStatus, isApiErrorCode } from "../../libs/http/error-codes.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveAllInOne } from "../../services/all-in-one/serve-all-in-one.ts";
import { backendOfUrl, makeGatewayApp } from "../../services/gateway/app.ts";
import { makeLogsApp } from "../../services/logs/app.ts";
import { logsConfig } from "../../services/logs/config.ts";
import { makeOrchestratorApp } from "../../services/orchestrator/app.ts";
import { proxyProbeApp } from "../support/fixture-apps.ts";
import { previewPortBlock } from "../support/port-blocks.ts";
import { testInternalToken, testJwtSecret } from "../support/test-orchestrator.ts";

// The one declaration of the API (libs/api/routes.ts) against what the services really serve and
// really answer: every served /api route is declared, every declared one is served, and every
// answer below is decoded with the declared schema (unknown fields refused: the schema must say
// everything the answer holds), each error's code listed for its route under its status.

const templateOf = (honoPath: string) => honoPath.replace(/:(\w+)/g, "{$1}");
const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
const declared = new Map(apiRoutes.map((r) => [key(r.method, r.path), r]));

describe("every served /api route is declared", () => {
  it("holds for the orchestrator's, the logs service's and the gateway's own routes", async () => {
    const noRun = () => async () => new Response();
    const logger = makeLogger("test", () => {});
    const apps = {
      orchestrator: makeOrchestratorApp({ run: noRun, jwtSecret: testJwtSecret, internalToken: testInternalToken, fileLimits: { maxFiles: 1, maxFileBytes: 1, maxTotalBytes: 1 }, logger }),
      logs: makeLogsApp({ run: noRun, jwtSecret: testJwtSecret, internalToken: testInternalToken, config: await Effect.runPromise(logsConfig.parse(ConfigProvider.fromUnknown({}))), logger }),
      gateway: makeGatewayApp({
        run: noRun, orchestrator: backendOfUrl("http://127.0.0.1:9"), logs: backendOfUrl("http://127.0.0.1:9"), jwtSecret: testJwtSecret,
        origins: makeOrigins("http://127.0.0.1:8080", undefined), corsOrigins: [], upstreamTimeoutMs: 1, apiTimeoutMs: 1, maxBodyBytes: 1, maxRequestAnswerBytes: 1,
        logger, localMode: true,
      }),
    };
    const served = new Map<string, string>();
    for (const [service, app] of Object.entries(apps)) {
      // ALL routes are middleware and the gateway's forwarding to the services, not operations.
      for (const r of app.routes) if (r.method !== "ALL" && r.path.startsWith("/api/")) served.set(key(r.method, templateOf(r.path)), service);
    }
    expect([...served.keys()].filter((k) => !declared.has(k))).toEqual([]);
    expect(apiRoutes.map((r) => key(r.method, r.path)).filter((k) => !served.has(k))).toEqual([]);
    // The owner declared is the service that answers (the gateway forwards the rest to it).
    for (const [k, service] of served) if (service !== "gateway") expect(declared.get(k)?.service, k).toBe(service);
  });
});

let service: Awaited<ReturnType<typeof serveAllInOne>>;
let base: string;
let alice: string;
const dataDir = mkdtempSync(join(tmpdir(), "api-conformance-"));
const previews = previewPortBlock();
const answered = new Set<string>();

beforeAll(async () => {
  service = await serveAllInOne({
    configProvider: ConfigProvider.fromUnknown({
      DATA_DIR: dataDir, JWT_SECRET: testJwtSecret, INTERNAL_TOKEN: testInternalToken, PATH: process.env.PATH ?? "/usr/bin:/bin",
      GATEWAY: { LOCAL_MODE: "true" },
      ORCHESTRATOR: { RUNTIME: "host", PORT_RANGE_FROM: String(previews.from), PORT_RANGE_TO: String(previews.to) },
    }),
    logger: makeLogger("all-in-one", () => {}),
    port: 0,
  });
  base = `http://127.0.0.1:${service.server.port}`;
  alice = await signUserToken(testJwtSecret, "alice");
});
afterAll(async () => {
  await service.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

const routeOf = (method: string, template: string): ApiRoute => {
  const route = declared.get(key(method, template));
  if (route === undefined) throw new Error(`${key(method, template)} is not declared`);
  return route;
};

/**
 * Calls a declared route and checks the answer against its declaration: a success status it
 * declares with a body its schema decodes exactly, or an error in the envelope whose code the
 * route lists and whose status is that code's.
 */
const call = async (method: string, template: string, options: { params?: Record<string, string>; query?: string; token?: string | null; json?: unknown; raw?: string } = {}) => {
  const route = routeOf(method, template);
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(options.params?.[name] ?? ""));
  const res = await fetch(`${base}${path}${options.query === undefined ? "" : `?${options.query}`}`, {
    method: method.toUpperCase(),
    headers: {
      ...(options.token === null ? {} : { authorization: `Bearer ${options.token ?? alice}` }),
      ...(options.json === undefined && options.raw === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(options.json === undefined ? options.raw === undefined ? {} : { body: options.raw } : { body: JSON.stringify(options.json) }),
  });
  const type = res.headers.get("content-type") ?? "";
  const success = route.responses[res.status];
  const label = `${key(method, template)} → ${res.status}`;
  if (success !== undefined) {
    answered.add(`${key(route.method, route.path)} ${res.status}`);
    if (success.schema === undefined) {
      expect(success.mediaTypes?.some((t) => type.startsWith(t)), `${label}: ${type}`).toBe(true);
      if (type.startsWith("text/event-stream")) {
        await res.body?.cancel();
        return { status: res.status, body: undefined as unknown, type };
      }
      return { status: res.status, body: await res.text() as unknown, type };
    }
    const body: unknown = await res.json();
    const decoded = Schema.decodeUnknownExit(success.schema as Schema.Codec<unknown>)(body, { onExcessProperty: "error" });
    expect(decoded._tag === "Success" ? "ok" : String(decoded.cause), `${label}: ${JSON.stringify(body).slice(0, 400)}`).toBe("ok");
    return { status: res.status, body, type };
  }
  const body: unknown = await res.json();
  expect(Schema.is(ErrorEnvelope)(body), `${label}: ${JSON.stringify(body)}`).toBe(true);
  const code = (body as typeof ErrorEnvelope.Type).error.code;
  expect(isApiErrorCode(code) && route.errors.includes(code), `${label}: ${code} is not among ${route.errors.join(", ")}`).toBe(true);
  expect(isApiErrorCode(code) ? apiErrorStatus[code] : 0, label).toBe(res.status);
  answered.add(`${key(route.method, route.path)} ${code}`);
  return { status: res.status, body, type };
};

const g = "/api/generations/{generationId}";
const p = `${g}/preview`;

describe("real answers match the declared schemas", () => {
  let generationId = "";
  let second = "";

  it("uploads, reads and lists", async () => {
    const created = await call("post", "/api/generations", { json: { files: proxyProbeApp } });
    expect(created.status).toBe(201);
    generationId = (created.body as { generationId: string }).generationId;
    second = ((await call("post", "/api/generations", { json: { files: proxyProbeApp, projectId: "second" } })).body as { generationId: string }).generationId;
    expect((await call("get", g, { params: { generationId } })).status).toBe(200);
    expect((await call("post", "/api/generations", { json: { files: "not a map" } })).status).toBe(400);
    expect((await call("post", "/api/generations", { raw: "{" })).status).toBe(400);
  });

  it("launches (200 waiting, 202 not), and answers status, endpoints, config, previews", async () => {
    expect((await call("post", `${p}/launch`, { params: { generationId }, json: { wait: true } })).status).toBe(200);
    expect((await call("post", `${p}/launch`, { params: { generationId: second }, json: {} })).status).toBe(202);
    expect((await call("post", `${p}/launch`, { params: { generationId }, json: { wait: true } })).status).toBe(409);
    expect((await call("post", `${p}/launch`, { params: { generationId }, json: { ttlSeconds: -1 } })).status).toBe(400);
    expect((await call("get", `${p}/status`, { params: { generationId } })).status).toBe(200);
    expect((await call("get", `${p}/endpoints`, { params: { generationId } })).status).toBe(200);
    expect((await call("get", `${g}/endpoints`, { params: { generationId } })).status).toBe(200);
    expect((await call("get", `${p}/config`, { params: { generationId } })).status).toBe(200);
    expect((await call("get", "/api/previews", {})).status).toBe(200);
    expect((await call("get", "/api/previews", { query: "status=live&limit=1" })).status).toBe(200);
    expect((await call("get", "/api/previews", { query: "limit=0" })).status).toBe(400);
  });

  it("sends a request through route 5, extends, reloads", async () => {
    expect((await call("post", `${p}/request`, { params: { generationId }, json: { method: "GET", path: "/items/3" } })).status).toBe(200);
    expect((await call("post", `${p}/request`, { params: { generationId }, json: { method: "BREW", path: "/" } })).status).toBe(400);
    expect((await call("post", `${p}/extend`, { params: { generationId }, json: {} })).status).toBe(200);
    const main = (proxyProbeApp["main.py"] as string) + "\n\n@app.get('/reloaded')\ndef reloaded():\n    return {'ok': True}\n";
    expect((await call("post", `${p}/reload`, { params: { generationId }, json: { changes: { "main.py": main } } })).status).toBe(200);
  });

  it("serves the logs: token, history, stream, export", async () => {
    expect((await call("post", `${p}/logs/token`, { params: { generationId } })).status).toBe(200);
    expect((await call("get", `${p}/logs`, { params: { generationId }, query: "limit=5" })).status).toBe(200);
    expect((await call("get", `${p}/logs`, { params: { generationId }, query: "level=LOUD" })).status).toBe(400);
    expect((await call("get", `${p}/logs/stream`, { params: { generationId } })).type).toContain("text/event-stream");
    expect((await call("get", `${p}/logs/export`, { params: { generationId } })).status).toBe(200);
    expect((await call("get", `${p}/logs/export`, { params: { generationId }, query: "format=ndjson" })).status).toBe(200);
  });

  it("decodes every documented query parameter with its declared schema: a value outside it is a 400 naming it", async () => {
    const document = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: ReadonlyArray<{ name: string; in: string; schema: { type?: string; enum?: string[]; maximum?: number } }> }>>;
    };
    const tried: string[] = [];
    for (const route of apiRoutes) {
      const documented = (document.paths[route.path]?.[route.method]?.parameters ?? []).filter((q) => q.in === "query");
      expect(documented.map((q) => q.name), key(route.method, route.path)).toEqual(Object.keys(route.query?.fields ?? {}));
      for (const q of documented) {
        // Outside what the document says: past an integer's range, or a word not in the list.
        const bad = q.schema.type === "integer" ? String((q.schema.maximum ?? 0) + 1) : q.schema.enum !== undefined ? "not-a-listed-word" : undefined;
        if (bad === undefined || route.auth === "none") continue;
        const res = await call(route.method, route.path, { params: { generationId }, query: `${q.name}=${bad}` });
        expect(res.status, `${key(route.method, route.path)} ?${q.name}=${bad}`).toBe(400);
        expect((res.body as typeof ErrorEnvelope.Type).error).toMatchObject({ message: expect.stringContaining(`"${q.name}"`), details: { field: q.name, value: bad } });
        tried.push(q.name);
      }
    }
    expect(tried).toEqual(expect.arrayContaining(["limit", "status", "after", "level", "lastEventId", "tail", "format"]));
  });

  it("answers another user's generation 404 and a missing token 401 on every declared route that needs one", async () => {
    const intruder = await signUserToken(testJwtSecret, "intruder");
    for (const route of apiRoutes) {
      if (route.auth === "none") continue;
      const json = route.body === undefined ? undefined : route.path.endsWith("/request") ? { method: "GET", path: "/" } : route.path.endsWith("/reload") ? { changes: {} } : route.path === "/api/generations" ? { files: {} } : {};
      const options = { params: { generationId }, ...(json === undefined ? {} : { json }) };
      expect((await call(route.method, route.path, { ...options, token: null })).status, key(route.method, route.path)).toBe(401);
      if (route.path.includes("{generationId}")) expect((await call(route.method, route.path, { ...options, token: intruder })).status, key(route.method, route.path)).toBe(404);
    }
  });

  it("stops (idempotently), and serves its own description and the dev sign-in", async () => {
    expect((await call("delete", p, { params: { generationId } })).status).toBe(200);
    expect((await call("delete", p, { params: { generationId: second } })).status).toBe(200);
    expect((await call("get", "/api/openapi.json", { token: null })).status).toBe(200);
    expect((await call("get", "/api/reference", { token: null })).status).toBe(200);
    expect((await call("post", "/api/dev/token", { token: null })).status).toBe(200);
  });

  it("answered every declared route with every success status it declares", () => {
    const missing = apiRoutes.flatMap((r) => Object.keys(r.responses).map((status) => `${key(r.method, r.path)} ${status}`)).filter((k) => !answered.has(k));
    expect(missing).toEqual([]);
  });
});
