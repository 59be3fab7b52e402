import { type ChildProcess, execFileSync, spawn } from "node:child_process";

import { ConfigProvider } from "effect";
import getPort from "get-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveGateway } from "../../services/gateway/serve-gateway.ts";
import { callApi, type ErrorEnvelope, eventually } from "../support/api.ts";
import { helloApp, proxyProbeApp } from "../support/fixture-apps.ts";
import { type OrchestratorProcess, spawnOrchestrator } from "../support/orchestrator-process.ts";
import { localhostLookup, originFetch, previewOriginOf } from "../support/preview-origin.ts";
import { previewPortBlock } from "../support/port-blocks.ts";
import { previewPath } from "../support/previews.ts";
import { testInternalToken, testJwtSecret } from "../support/test-orchestrator.ts";
import { psql as psqlAt, startTestPostgres } from "./support/servers.ts";
import { tempDirs } from "../support/temp-dirs.ts";

// The gateway reaches a preview on another runner node through that node's internal proxy
// (libs/proxy/node-relay.ts, services/orchestrator/node-proxy*.ts), and one on its own node
// directly. Two real node processes on one PostgreSQL, a real gateway beside node A.
const freshDir = tempDirs();

let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let nodeA: OrchestratorProcess;
let nodeB: OrchestratorProcess;
let gateway: { readonly url: string; readonly shutdown: () => Promise<void> };
let generationsDir: string;
const psql = (sql: string) => psqlAt(pg.url, sql);

beforeAll(async () => {
  pg = await startTestPostgres();
  const gatewayPort = await getPort();
  const publicUrl = `http://127.0.0.1:${gatewayPort}`;
  generationsDir = freshDir("xnode-generations-");
  const nodeEnv = (id: string) => ({
    DATABASE_URL: pg.url,
    PUBLIC_URL: publicUrl,
    ORCHESTRATOR_GENERATIONS_DIR: generationsDir,
    ORCHESTRATOR_NODE_ID: id,
    ORCHESTRATOR_RUNTIME: "host",
    ORCHESTRATOR_LOGS_URL: "http://127.0.0.1:9",
    // The gateway bounds bodies at its default; node B's own, lower bound is then the one a body meets.
    ...(id === "xnode-b" ? { ORCHESTRATOR_RELAY_MAX_BODY_BYTES: String(64 * 1024) } : {}),
  });
  nodeA = await spawnOrchestrator(freshDir("xnode-a-"), nodeEnv("xnode-a"));
  nodeB = await spawnOrchestrator(freshDir("xnode-b-"), nodeEnv("xnode-b"));
  const service = await serveGateway({
    configProvider: ConfigProvider.fromUnknown({
      PUBLIC_URL: publicUrl,
      DATA_DIR: freshDir("xnode-gateway-"),
      JWT_SECRET: testJwtSecret,
      INTERNAL_TOKEN: testInternalToken,
      GATEWAY: {
        // The API goes to node B (so a reload of its preview lands where it runs); previews by their node.
        ORCHESTRATOR_URL: nodeB.url,
        LOGS_URL: "http://127.0.0.1:9",
        NODE_ID: "xnode-a",
        UPSTREAM_TIMEOUT_MS: "3000",
        // Routes stay cached for the whole file: a node stopped below must not be asked for one.
        ROUTE_CACHE_MS: "600000",
      },
    }),
    logger: makeLogger("gateway", () => {}),
    port: gatewayPort,
  });
  gateway = { url: `http://127.0.0.1:${service.server.port}`, shutdown: service.shutdown };
}, 120_000);

afterAll(async () => {
  await gateway?.shutdown();
  for (const node of [nodeA, nodeB]) {
    if (node === undefined || node.child.exitCode !== null || node.child.signalCode !== null) continue;
    const exited = new Promise((resolve) => node.child.once("exit", resolve));
    process.kill(node.child.pid as number, "SIGCONT");
    node.child.kill("SIGTERM");
    await exited;
  }
  await pg?.dispose();
});

/** Uploads `files` as `userId` and launches them on `nodeUrl` (the node asked runs it: equal or lower load). */
const runOn = async (nodeUrl: string, userId: string, files: Record<string, string>) => {
  const token = await signUserToken(testJwtSecret, userId);
  const created = await callApi<{ generationId: string }>(gateway.url, "POST", "/api/generations", { token, json: { files } });
  expect(created.status).toBe(201);
  const launched = await callApi<{ previewInstanceId: string; previewToken: string; baseUrl: string }>(
    nodeUrl, "POST", `${previewPath(created.body.generationId)}/launch`, { token, json: { wait: true } },
  );
  expect(launched.status).toBe(200);
  return { token, generationId: created.body.generationId, ...launched.body };
};

const nodeOf = (previewId: string) => psql(`select node from previews where id = '${previewId}'`);
const portOf = (previewId: string) => Number(psql(`select port from previews where id = '${previewId}'`));

describe("a gateway with previews on two nodes", () => {
  let remote: Awaited<ReturnType<typeof runOn>>;
  let local: Awaited<ReturnType<typeof runOn>>;
  beforeAll(async () => {
    remote = await runOn(nodeB.url, "remote-user", proxyProbeApp);
    local = await runOn(nodeA.url, "local-user", helloApp);
    expect([nodeOf(remote.previewInstanceId), nodeOf(local.previewInstanceId)]).toEqual(["xnode-b", "xnode-a"]);
  }, 120_000);
  const remoteOrigin = () => previewOriginOf(gateway.url, remote.previewInstanceId);
  const withToken = (extra: Record<string, string> = {}) => ({ "x-preview-token": remote.previewToken, ...extra });

  it("serves the other node's preview through that node, as the preview would be served directly", async () => {
    // Twice: the first asks each side for the route (full handlers), the second takes both fast paths.
    for (let round = 0; round < 2; round++) {
      const res = await originFetch(`${remoteOrigin()}/echo/headers?a=1&b=%2e%2e`, { headers: withToken({ "x-forwarded-for": "203.0.113.9", "x-relay-path": "/missing", "x-internal-token": "guess" }) });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).not.toContain(",");
      const seen = (await res.json()) as { headers: Array<[string, string]>; path: string; query: string };
      const headers = new Map(seen.headers);
      expect(seen.path).toBe("/echo/headers");
      expect(seen.query).toBe("a=1&b=%2e%2e");
      // The node adds nothing and takes its own headers out; what the preview sees is what the gateway set.
      expect(headers.has("x-internal-token")).toBe(false);
      expect(headers.has("x-relay-path")).toBe(false);
      expect(headers.has("x-preview-token")).toBe(false);
      expect(headers.get("host")).toBe(new URL(remoteOrigin()).host);
      expect(headers.get("x-forwarded-for")).toMatch(/^203\.0\.113\.9, [^,]+$/);
      expect(headers.get("x-forwarded-proto")).toBe("http");
    }
    // On the platform's origin, under /p/{id}/ with the header token.
    const viaPath = await fetch(`${gateway.url}/p/${remote.previewInstanceId}/items/7?q=x`, { headers: withToken() });
    expect(await viaPath.json()).toEqual({ item_id: 7, q: "x" });
    // Route 5, the JSON request route.
    const asJson = await callApi<{ statusCode: number; data: unknown }>(gateway.url, "POST", `${previewPath(remote.generationId)}/request`, {
      token: remote.token, json: { method: "POST", path: "/items", body: { n: 1 }, headers: { "x-relay-path": "/missing" } },
    });
    expect(asJson.body).toMatchObject({ statusCode: 200, data: { created: { n: 1 } } });
  });

  it("streams both ways through the hop, and bounds a body at the node", async () => {
    // The app holds part i+1 until part i was read and released: each part read crossed both proxies alone.
    const res = await originFetch(`${remoteOrigin()}/stream?key=xnode`, { headers: withToken() });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    for (let i = 0; i < 3; i++) {
      while (!text.includes(`chunk-${i};`)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text).toContain(`chunk-${i};`);
      if (i < 2) await originFetch(`${remoteOrigin()}/release/xnode/${i}`, { method: "POST", headers: withToken() });
    }
    // A streamed upload under node B's bound arrives whole; one over it is refused there (413).
    const small = new Uint8Array(60 * 1024);
    const under = await originFetch(`${remoteOrigin()}/upload`, { method: "POST", body: small, headers: withToken() });
    expect(await under.json()).toEqual({ bytes: small.length });
    const over = await originFetch(`${remoteOrigin()}/upload`, { method: "POST", body: new Uint8Array(200 * 1024), headers: withToken() });
    expect(over.status).toBe(413);
    expect(((await over.json()) as ErrorEnvelope).error).toMatchObject({ code: "payload_too_large", details: { limitBytes: 64 * 1024 } });
  });

  it("relays a WebSocket to the other node's preview", async () => {
    const ws = new WebSocket(`${remoteOrigin().replace("http", "ws")}/ws`, { headers: withToken(), lookup: localhostLookup });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send("over the hop"));
      ws.once("message", (m) => resolve(String(m)));
      ws.once("error", reject);
    });
    expect(reply).toBe("echo: over the hop");
    ws.close();
  });

  it("the hop is the path: with node B stopped its preview times out through the gateway while A's is served directly", async () => {
    const preview = portOf(remote.previewInstanceId);
    const localOrigin = previewOriginOf(gateway.url, local.previewInstanceId);
    // Warm both routes (the gateway keeps them for the whole file). The first lookup asks node B's API,
    // which on a loaded machine may miss the gateway's 5 s bound: a 503 to retry, as its message says.
    await eventually(async () => ((await originFetch(`${localOrigin}/hello`, { headers: { "x-preview-token": local.previewToken } })).status === 200 ? true : undefined), 60_000, "A's preview through the gateway");
    process.kill(nodeB.child.pid as number, "SIGSTOP");
    try {
      // The preview itself answers at its address; the gateway does not go there, but to its node.
      expect(await (await fetch(`http://127.0.0.1:${preview}/items/1`)).json()).toEqual({ item_id: 1, q: "" });
      const stuck = await originFetch(`${remoteOrigin()}/items/1`, { headers: withToken() });
      expect(stuck.status).toBe(504);
      expect(((await stuck.json()) as ErrorEnvelope).error.code).toBe("upstream_timeout");
      // Node A's preview, beside the gateway, is reached without any hop.
      const direct = await originFetch(`${localOrigin}/hello`, { headers: { "x-preview-token": local.previewToken } });
      expect(await direct.json()).toEqual({ message: "hi" });
    } finally {
      process.kill(nodeB.child.pid as number, "SIGCONT");
    }
    expect(await (await originFetch(`${remoteOrigin()}/items/2`, { headers: withToken() })).json()).toEqual({ item_id: 2, q: "" });
  });

  it("a live reload of the other node's preview is served at once (the node lets go of the old version)", async () => {
    const files = { ...proxyProbeApp, "main.py": `${proxyProbeApp["main.py"]}\n@app.get('/version')\nasync def version():\n    return {'version': 2}\n` };
    // Keep-alive connections at the node to the version being replaced.
    for (let i = 0; i < 3; i++) expect((await originFetch(`${remoteOrigin()}/items/${i}`, { headers: withToken() })).status).toBe(200);
    const reloaded = await callApi(gateway.url, "POST", `${previewPath(remote.generationId)}/reload`, { token: remote.token, json: { files } });
    expect(reloaded.status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const res = await originFetch(`${remoteOrigin()}/version`, { headers: withToken() });
      expect(await res.json()).toEqual({ version: 2 });
    }
  });

  it("the node's proxy entry answers nothing without the internal token, and nothing from outside", async () => {
    const entry = `${nodeB.url}/internal/previews/${remote.previewInstanceId}/proxy`;
    for (const headers of [{ "x-relay-path": "/items/1" }, { "x-relay-path": "/items/1", "x-internal-token": "not-the-token" }]) {
      const refused = await fetch(entry, { headers });
      expect(refused.status).toBe(404);
      expect(((await refused.json()) as ErrorEnvelope).error.code).toBe("not_found");
      const ws = await new Promise<number>((resolve) => {
        new WebSocket(entry.replace("http", "ws"), { headers }).once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      });
      expect(ws).toBe(404);
    }
    expect((await fetch(`${nodeB.url}/internal/previews/${remote.previewInstanceId}/proxy/retire`, { method: "POST" })).status).toBe(404);
    // With it, the node serves only its own previews: A's preview is not B's to serve.
    const own = await fetch(entry, { headers: { "x-relay-path": "/items/3", "x-internal-token": testInternalToken } });
    expect(await own.json()).toEqual({ item_id: 3, q: "" });
    // No request id of the node's own on what it relays, errors included: the gateway adds the one the client sees.
    expect(own.headers.get("x-request-id")).toBeNull();
    const pathless = await fetch(entry, { headers: { "x-internal-token": testInternalToken } });
    expect(pathless.status).toBe(400);
    expect(pathless.headers.get("x-request-id")).toBeNull();
    expect(((await pathless.json()) as ErrorEnvelope).error.message).toContain("x-relay-path");
    const notHere = await fetch(`${nodeB.url}/internal/previews/${local.previewInstanceId}/proxy`, { headers: { "x-relay-path": "/hello", "x-internal-token": testInternalToken } });
    expect(notHere.status).toBe(503);
    // The public gateway has no internal routes, whatever the path.
    for (const path of [`/internal/previews/${remote.previewInstanceId}/proxy`, `/p/${remote.previewInstanceId}/../../internal/previews/${remote.previewInstanceId}/proxy`]) {
      const res = await fetch(`${gateway.url}${path}`, { headers: { "x-relay-path": "/items/1", "x-internal-token": testInternalToken } });
      expect([404, 401]).toContain(res.status);
      expect(await res.text()).not.toContain("item_id");
    }
  });

  it("another user's preview on the other node is still a 404 at the gateway, and a wrong preview token a 401", async () => {
    const stranger = await signUserToken(testJwtSecret, "stranger");
    const asStranger = await callApi<ErrorEnvelope>(gateway.url, "POST", `${previewPath(remote.generationId)}/request`, { token: stranger, json: { method: "GET", path: "/items/1" } });
    expect(asStranger.status).toBe(404);
    const status = await callApi<ErrorEnvelope>(gateway.url, "GET", `${previewPath(remote.generationId)}/status`, { token: stranger });
    expect(status.status).toBe(404);
    const wrongToken = await originFetch(`${remoteOrigin()}/items/1`, { headers: { "x-preview-token": local.previewToken } });
    expect(wrongToken.status).toBe(401);
  });
});

/** A service under Deno (scripts/run-service.sh), its own process group, answering /healthz on `port`. */
const spawnOnDeno = async (service: "orchestrator" | "gateway", port: number, env: Record<string, string>): Promise<ChildProcess> => {
  const child = spawn("scripts/run-service.sh", [service], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", JWT_SECRET: testJwtSecret, INTERNAL_TOKEN: testInternalToken, [`${service.toUpperCase()}_JS_RUNTIME`]: "deno", ...env },
    stdio: "ignore",
    detached: true,
  });
  await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok ? true : undefined), 60_000, `${service} on Deno`);
  return child;
};

describe("on Deno: a gateway and a node without the Node fast paths (fetch, the relay route)", () => {
  const children: ChildProcess[] = [];
  let denoGateway: string;
  let onDenoNode: Awaited<ReturnType<typeof runOn>>;
  beforeAll(async () => {
    const nodePort = await getPort();
    const gatewayPort = await getPort();
    const ports = previewPortBlock();
    children.push(await spawnOnDeno("orchestrator", nodePort, {
      DATA_DIR: freshDir("xnode-deno-node-"),
      DATABASE_URL: pg.url,
      PUBLIC_URL: gateway.url,
      ORCHESTRATOR_PORT: String(nodePort),
      ORCHESTRATOR_PORT_RANGE_FROM: String(ports.from),
      ORCHESTRATOR_PORT_RANGE_TO: String(ports.to),
      ORCHESTRATOR_GENERATIONS_DIR: generationsDir,
      ORCHESTRATOR_NODE_ID: "xnode-deno",
      ORCHESTRATOR_RUNTIME: "host",
      ORCHESTRATOR_LOGS_URL: "http://127.0.0.1:9",
    }));
    const gatewayData = freshDir("xnode-deno-gateway-");
    children.push(await spawnOnDeno("gateway", gatewayPort, {
      DATA_DIR: gatewayData,
      PUBLIC_URL: `http://127.0.0.1:${gatewayPort}`,
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_ORCHESTRATOR_URL: nodeA.url,
      GATEWAY_LOGS_URL: "http://127.0.0.1:9",
      GATEWAY_NODE_ID: "xnode-a",
    }));
    denoGateway = `http://127.0.0.1:${gatewayPort}`;
    onDenoNode = await runOn(`http://127.0.0.1:${nodePort}`, "deno-user", proxyProbeApp);
    expect(nodeOf(onDenoNode.previewInstanceId)).toBe("xnode-deno");
  }, 180_000);
  afterAll(async () => {
    await Promise.all(children.map((child) => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
      child.once("exit", resolve);
      process.kill(-(child.pid as number), "SIGTERM");
    })));
  });

  it("a Node gateway reaches a preview on a Deno node, and a Deno gateway one on a Deno and on a Node node", async () => {
    const cases = [
      { gw: gateway.url, preview: onDenoNode },
      { gw: denoGateway, preview: onDenoNode },
      { gw: denoGateway, preview: null },
    ];
    for (const { gw, preview } of cases) {
      // A preview on node B (Node), for the Deno gateway beside node A to reach through B.
      const p = preview ?? await runOn(nodeB.url, `deno-gw-user-${Date.now()}`, proxyProbeApp);
      const origin = previewOriginOf(gw, p.previewInstanceId);
      const headers = { "x-preview-token": p.previewToken };
      for (let round = 0; round < 2; round++) {
        const res = await originFetch(`${origin}/echo/headers?x=${round}`, { headers: { ...headers, "x-relay-path": "/missing" } });
        expect(res.status).toBe(200);
        expect(res.headers.get("x-request-id")).not.toContain(",");
        const seen = (await res.json()) as { headers: Array<[string, string]>; path: string; query: string };
        expect([seen.path, seen.query]).toEqual(["/echo/headers", `x=${round}`]);
        expect(new Map(seen.headers).has("x-internal-token")).toBe(false);
      }
      const body = new Uint8Array(50 * 1024);
      const posted = await originFetch(`${origin}/upload`, { method: "POST", body, headers });
      expect(await posted.json()).toEqual({ bytes: body.length });
      const wrong = await originFetch(`${origin}/items/1`, { headers: { "x-preview-token": "nope" } });
      expect(wrong.status).toBe(401);
    }
  });
});
