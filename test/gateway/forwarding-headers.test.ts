import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { proxyProbeApp } from "../support/fixture-apps.ts";
import { localhostLookup, previewOriginOf } from "../support/preview-origin.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";

// The platform is served over HTTPS by a TLS-terminating proxy in front of the gateway: the
// gateway itself speaks plain HTTP, but every path that forwards a request must tell the app the
// scheme its user reached it on (libs/proxy/forwarding.ts), not this hop's.
const app = {
  "main.py": [
    ...(proxyProbeApp["main.py"] as string).split("\n"),
    "",
    "@app.websocket('/ws/headers')",
    "async def ws_headers(websocket: WebSocket):",
    "    await websocket.accept()",
    "    await websocket.send_json([[k, v] for k, v in websocket.headers.items()])",
    "    await websocket.close()",
  ].join("\n"),
};

type Pairs = Array<[string, string]>;
const headersSeen = (url: string, headers: Record<string, string>) =>
  new Promise<Pairs>((resolve, reject) => {
    const req = httpRequest(url, { headers, lookup: localhostLookup }, (r) => {
      let body = "";
      r.on("data", (d: Buffer) => { body += d.toString(); });
      r.on("end", () => {
        if (r.statusCode !== 200) return reject(new Error(`${r.statusCode ?? 0}: ${body}`));
        resolve((JSON.parse(body) as { headers: Pairs }).headers);
      });
    });
    req.on("error", reject);
    req.end();
  });
const wsHeadersSeen = (url: string, headers: Record<string, string>) =>
  new Promise<Pairs>((resolve, reject) => {
    const ws = new WebSocket(url, { headers, lookup: localhostLookup });
    ws.once("message", (m) => resolve(JSON.parse(String(m)) as Pairs));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`refused: ${res.statusCode ?? 0}`)));
  });

describe.each([
  { name: "the Node fast path", routeCacheMs: "600000" },
  { name: "the full handler", routeCacheMs: "0" },
])("X-Forwarded-* behind HTTPS, through $name", ({ routeCacheMs }) => {
  let platform: TestPlatform;
  let preview: Awaited<ReturnType<TestPlatform["runPreview"]>>;
  let origin: string;
  beforeAll(async () => {
    platform = await startTestPlatform({ ROUTE_CACHE_MS: routeCacheMs }, {}, { PUBLIC_URL: "https://127.0.0.1", PREVIEW_ORIGIN: "https://{id}.preview.localhost" });
    preview = await platform.runPreview("alice", app);
    origin = previewOriginOf(platform.gateway, preview.previewId);
    // Fills the route cache, where there is one: later requests take the fast path.
    await headersSeen(`${origin}/echo/headers`, { "x-preview-token": preview.previewToken });
  });
  afterAll(() => platform.dispose());

  it("tells the app https on its own origin, never the client's claim, and appends the peer to X-Forwarded-For", async () => {
    const headers = await headersSeen(`${origin}/echo/headers`, {
      "x-preview-token": preview.previewToken, "x-forwarded-proto": "gopher", "x-forwarded-for": "203.0.113.7", "x-forwarded-prefix": "/evil",
    });
    expect(headers.filter(([k]) => k === "x-forwarded-proto")).toEqual([["x-forwarded-proto", "https"]]);
    expect(headers).toContainEqual(["x-forwarded-for", "203.0.113.7, 127.0.0.1"]);
    expect(headers).toContainEqual(["x-forwarded-host", new URL(origin).host]);
    expect(headers.map(([k]) => k)).not.toContain("x-forwarded-prefix");
  });

  it("tells the app https and its prefix under /p/{id}/ on the platform's origin", async () => {
    const headers = await headersSeen(`${platform.gateway}/p/${preview.previewId}/echo/headers`, { "x-preview-token": preview.previewToken, "x-forwarded-proto": "http" });
    expect(headers.filter(([k]) => k === "x-forwarded-proto")).toEqual([["x-forwarded-proto", "https"]]);
    expect(headers).toContainEqual(["x-forwarded-prefix", `/p/${preview.previewId}`]);
  });

  it("sets the same headers on a WebSocket handshake", async () => {
    const onOrigin = await wsHeadersSeen(`${origin.replace("http", "ws")}/ws/headers`, {
      "x-preview-token": preview.previewToken, "x-forwarded-proto": "gopher", "x-forwarded-for": "203.0.113.7",
    });
    expect(onOrigin.filter(([k]) => k === "x-forwarded-proto")).toEqual([["x-forwarded-proto", "https"]]);
    expect(onOrigin).toContainEqual(["x-forwarded-for", "203.0.113.7, 127.0.0.1"]);
    expect(onOrigin.map(([k]) => k)).not.toContain("x-preview-token");
    const onPlatform = await wsHeadersSeen(`${platform.gateway.replace("http", "ws")}/p/${preview.previewId}/ws/headers`, { "x-preview-token": preview.previewToken });
    expect(onPlatform).toContainEqual(["x-forwarded-prefix", `/p/${preview.previewId}`]);
    expect(onPlatform).toContainEqual(["x-forwarded-proto", "https"]);
  });
});
