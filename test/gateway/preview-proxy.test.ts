import { execFile } from "node:child_process";
import { request as httpRequest } from "node:http";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import autocannon from "autocannon";
import WebSocket from "ws";
import { callApi, type ErrorEnvelope, eventually } from "../support/api.ts";
import { proxyProbeApp } from "../support/fixture-apps.ts";
import { previewRow } from "../support/previews.ts";
import { localhostLookup, originFetch } from "../support/preview-origin.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";

const run = promisify(execFile);

const rawRequest = (url: string, options: { method?: string; headers: Record<string, string | string[]> }) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers, lookup: localhostLookup }, (r) => {
      let body = "";
      r.on("data", (d: Buffer) => { body += d.toString(); });
      r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });


/** Reads a streamed body, returning each chunk as it arrived. */
/**
 * Reads a paced stream of the probe app: after each chunk read, releases the next part (the app
 * holds it until then), so each chunk read is what the proxy passed on by itself.
 */
const pacedChunksOf = async (res: { body: unknown }, release: (part: number) => Promise<unknown>): Promise<string[]> => {
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(decoder.decode(chunk));
    await release(chunks.length - 1);
  }
  return chunks;
};

// On Node a request whose route is cached takes the fast path (node-fast-proxy.ts); the first
// one, and every one when routes are not cached, takes the full handler. Both must behave alike.
const paths = [
  { name: "the Node fast path", routeCacheMs: "600000" },
  { name: "the full handler", routeCacheMs: "0" },
];

describe.each(paths)("the transparent preview proxy, through $name", ({ routeCacheMs }) => {
  let platform: TestPlatform;
  let preview: Awaited<ReturnType<TestPlatform["runPreview"]>>;
  let base: string;
  beforeAll(async () => {
    platform = await startTestPlatform({ UPSTREAM_TIMEOUT_MS: "1500", MAX_PROXY_BODY_BYTES: "52000000", ROUTE_CACHE_MS: routeCacheMs });
    preview = await platform.runPreview("alice", proxyProbeApp);
    // The preview's own origin, http://{id}.preview.localhost:{port}.
    base = preview.origin;
    expect(base).toBe(`http://${preview.previewId}.preview.localhost:${new URL(platform.gateway).port}`);
    // Fills the route cache, where there is one.
    expect((await originFetch(`${base}/items/1`, { headers: withToken() })).status).toBe(200);
  });
  afterAll(() => platform.dispose());

  const withToken = (extra: Record<string, string> = {}) => ({ "x-preview-token": preview.previewToken, ...extra });
  const releaseOf = (key: string) => (part: number) => originFetch(`${base}/release/${key}/${part}`, { method: "POST", headers: withToken() }).then((r) => r.text());

  it("hands a browser the token as a host-only HttpOnly cookie on the preview's origin and redirects to the clean URL", async () => {
    const handoff = await originFetch(`${base}/echo/headers?previewToken=${preview.previewToken}&keep=1`, { redirect: "manual" });
    expect(handoff.status).toBe(302);
    expect(handoff.headers.get("location")).toBe("/echo/headers?keep=1");
    const cookie = handoff.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`preview_token=${preview.previewToken}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toMatch(/Domain=/i);
    const followed = await originFetch(`${base}/echo/headers?keep=1`, { headers: { cookie: cookie.split(";")[0] ?? "" } });
    expect(followed.status).toBe(200);
    expect(((await followed.json()) as { query: string }).query).toBe("keep=1");
  });

  it.each([
    { site: "same-origin", mode: "cors", status: 200 },
    { site: "none", mode: "navigate", status: 200 },
    { site: "cross-site", mode: "navigate", status: 200 },
    // Another preview's page: same site under *.preview.localhost, but its fetch() must not ride on this preview's cookie.
    { site: "same-site", mode: "cors", status: 401 },
    { site: "cross-site", mode: "no-cors", status: 401 },
  ])("accepts the hand-off cookie from a $site $mode request: $status", async ({ site, mode, status }) => {
    const res = await rawRequest(`${base}/items/1`, { headers: { cookie: `preview_token=${preview.previewToken}`, "sec-fetch-site": site, "sec-fetch-mode": mode } });
    expect(res.status).toBe(status);
  });

  it("passes the app's own Authorization and cookies through; removes only the platform's token and cookie", async () => {
    const res = await rawRequest(`${base}/echo/headers`, {
      headers: { cookie: `app_session=s1; preview_token=${preview.previewToken}; theme=dark`, authorization: "Bearer the-apps-own-jwt" },
    });
    expect(res.status).toBe(200);
    const { headers } = JSON.parse(res.body) as { headers: Array<[string, string]> };
    expect(headers).toContainEqual(["authorization", "Bearer the-apps-own-jwt"]);
    expect(headers).toContainEqual(["cookie", "app_session=s1; theme=dark"]);
    expect(JSON.stringify(headers)).not.toContain(preview.previewToken);
  });
  it.each([
    { connection: "keep-alive", forwardedFor: undefined, expectedFor: "127.0.0.1" },
    // A Connection header naming another header makes that one hop-by-hop too (the fast path leaves it to the full handler).
    { connection: "keep-alive, x-connection-named", forwardedFor: "203.0.113.7", expectedFor: "203.0.113.7, 127.0.0.1" },
  ])("forwards no platform credential and no hop-by-hop header, and sets X-Forwarded-* (Connection: $connection)", async ({ connection, forwardedFor, expectedFor }) => {
    // node:http, since fetch refuses to send a Connection header naming other headers.
    const res = await rawRequest(`${base}/echo/headers`, {
      headers: withToken({
        authorization: "Bearer app-user-jwt",
        cookie: `preview_token=${preview.previewToken}; app_session=kept`,
        connection,
        "x-connection-named": "must-go",
        te: "trailers",
        "proxy-authorization": "Basic abc",
        "x-app-header": "kept",
        ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }),
      }),
    });
    const { headers, path } = JSON.parse(res.body) as { headers: Array<[string, string]>; path: string };
    const names = headers.map(([k]) => k);
    const all = JSON.stringify(headers);
    // The app is at the root of its own origin, as it was written to be.
    expect(path).toBe("/echo/headers");
    for (const gone of ["x-preview-token", "te", "proxy-authorization", "keep-alive", "transfer-encoding", "upgrade", "x-forwarded-prefix"]) {
      expect(names).not.toContain(gone);
    }
    expect(names.includes("x-connection-named")).toBe(!connection.includes("x-connection-named"));
    expect(all).not.toContain(preview.previewToken);
    expect(headers).toContainEqual(["authorization", "Bearer app-user-jwt"]);
    expect(headers).toContainEqual(["cookie", "app_session=kept"]);
    expect(headers).toContainEqual(["x-app-header", "kept"]);
    expect(headers).toContainEqual(["host", new URL(base).host]);
    expect(headers).toContainEqual(["x-forwarded-for", expectedFor]);
    expect(headers).toContainEqual(["x-forwarded-host", new URL(base).host]);
    expect(headers).toContainEqual(["x-forwarded-proto", "http"]);
  });

  it("refuses a request presenting two preview tokens, even when one is good", async () => {
    const res = await rawRequest(`${base}/items/1`, { headers: { "x-preview-token": [preview.previewToken, "someone-elses-token"] } });
    expect(res.status).toBe(401);
    expect((JSON.parse(res.body) as ErrorEnvelope).error.code).toBe("invalid_preview_token");
  });

  it("passes the preview's own cookies and status back", async () => {
    const res = await originFetch(`${base}/cookie`, { headers: withToken() });
    expect(res.headers.get("set-cookie")).toContain("app_session=abc");
    const missing = await originFetch(`${base}/missing`, { headers: withToken() });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: "nope" });
  });

  it("streams a chunked response chunk by chunk", async () => {
    const key = `stream-${Math.random()}`;
    const chunks = await pacedChunksOf(await originFetch(`${base}/stream?key=${key}`, { headers: withToken() }), releaseOf(key));
    // Each chunk left the preview only once the one before had been read: buffering would hang it.
    expect(chunks).toEqual(["chunk-0;", "chunk-1;", "chunk-2;"]);
  });

  it("keeps serving after many clients go away in the middle of answers", async () => {
    // autocannon ends its 32 connections abruptly when its time is up, answers still in flight.
    for (let run = 0; run < 2; run++) {
      const result = await autocannon({ url: `${platform.gateway}/items/1`, connections: 32, duration: 1.5, headers: withToken({ host: new URL(base).host }) });
      expect(result.non2xx).toBe(0);
    }
    const after = await originFetch(`${base}/items/1`, { headers: withToken() });
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ item_id: 1 });
  });

  it("delivers SSE events one by one", async () => {
    const key = `events-${Math.random()}`;
    const res = await originFetch(`${base}/events?key=${key}`, { headers: withToken() });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(await pacedChunksOf(res, releaseOf(key))).toEqual(["id: 0\ndata: event-0\n\n", "id: 1\ndata: event-1\n\n", "id: 2\ndata: event-2\n\n"]);
  });

  it("carries a 50 MB upload whole", async () => {
    const size = 50_000_000;
    const { stdout } = await run("sh", ["-c", `head -c ${size} /dev/zero | curl -sS -X POST -H "x-preview-token: ${preview.previewToken}" -H "content-type: application/octet-stream" -H "transfer-encoding: chunked" --data-binary @- ${base}/upload`]);
    expect(JSON.parse(stdout)).toEqual({ bytes: size });
  });

  it("streams an upload: the preview reads the first part while the client still holds the rest", async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${base}/upload/first-chunk`, { method: "POST", headers: withToken({ "transfer-encoding": "chunked" }), lookup: localhostLookup }, (r) => {
        let body = "";
        r.on("data", (d: Buffer) => { body += d.toString(); });
        r.on("end", () => { req.destroy(); resolve(body); });
      });
      req.on("error", reject);
      // The body is never finished: a proxy that buffered the request would never pass it on.
      req.write(Buffer.alloc(64 * 1024, 99));
    });
    expect(JSON.parse(answer).first).toBeGreaterThan(0);
  });

  it.each([
    { framing: "a declared length", headers: { "content-length": "60000000" } },
    { framing: "chunked encoding, cut off as it streams", headers: { "transfer-encoding": "chunked" } },
  ])("refuses a body over the limit with 413 ($framing)", async ({ headers }) => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      let answered = false;
      const req = httpRequest(`${base}/upload`, { method: "POST", headers: withToken(headers), lookup: localhostLookup }, (r) => {
        answered = true;
        let body = "";
        r.on("data", (d: Buffer) => { body += d.toString(); });
        r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
      });
      // Once refused, the gateway may close the connection under the rest of the upload.
      req.on("error", (e) => { if (!answered) reject(e); });
      const block = Buffer.alloc(1 << 20, 98);
      let written = 0;
      const pump = () => {
        while (written < 60_000_000 && !answered) {
          written += block.byteLength;
          if (!req.write(block)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(res.status).toBe(413);
    expect((JSON.parse(res.body) as ErrorEnvelope).error.code).toBe("payload_too_large");
  });

  it("answers 504 when the preview takes longer than the upstream timeout", async () => {
    const res = await originFetch(`${base}/sleep?seconds=5`, { headers: withToken() });
    expect(res.status).toBe(504);
    expect(((await res.json()) as ErrorEnvelope).error.code).toBe("upstream_timeout");
  });

  it("proxies a WebSocket to the preview", async () => {
    const ws = new WebSocket(`${base.replace("http", "ws")}/ws`, { headers: { cookie: `preview_token=${preview.previewToken}` }, lookup: localhostLookup });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send("hello"));
      ws.once("message", (m) => resolve(String(m)));
      ws.once("error", reject);
    });
    expect(reply).toBe("echo: hello");
    ws.close();

    const refusedWith = (url: string, headers: Record<string, string> = {}) => new Promise<number>((resolve) => {
      new WebSocket(url, { headers, lookup: localhostLookup }).once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(await refusedWith(`${base.replace("http", "ws")}/ws`)).toBe(401);
    // Another preview's page opening a socket here: its (same-site) handshake carries this preview's cookie, which does not count.
    expect(await refusedWith(`${base.replace("http", "ws")}/ws`, { cookie: `preview_token=${preview.previewToken}`, "sec-fetch-site": "same-site", "sec-fetch-mode": "websocket" })).toBe(401);
    // On the platform's origin only X-Preview-Token opens one; a cookie does not.
    const onPlatform = `${platform.gateway.replace("http", "ws")}/p/${preview.previewId}/ws`;
    expect(await refusedWith(onPlatform, { cookie: `preview_token=${preview.previewToken}` })).toBe(401);
    const viaPath = new WebSocket(onPlatform, { headers: { "x-preview-token": preview.previewToken } });
    expect(await new Promise<string>((resolve, reject) => {
      viaPath.once("open", () => viaPath.send("again"));
      viaPath.once("message", (m) => resolve(String(m)));
      viaPath.once("error", reject);
    })).toBe("echo: again");
    viaPath.close();
    // Any other Host is refused before any preview is looked up.
    expect(await refusedWith(`${platform.gateway.replace("http", "ws")}/p/${preview.previewId}/ws`, { host: "attacker.example", "x-preview-token": preview.previewToken })).toBe(421);
  });

  it("serves the preview's own docs at the root of its origin, whose OpenAPI URL resolves there", async () => {
    const docs = await originFetch(`${base}/docs`, { headers: withToken() });
    const html = await docs.text();
    expect(html).toContain("url: '/openapi.json'");
    const openapi = await originFetch(`${base}/openapi.json`, { headers: withToken() });
    const spec = (await openapi.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toContain("/items/{item_id}");
    // "Try it out" calls the server URL + path: the same origin.
    const tried = await originFetch(`${base}/items/7?q=x`, { headers: withToken() });
    expect(await tried.json()).toEqual({ item_id: 7, q: "x" });
  });

  it("serves /p/{id}/ on the platform's origin to programmatic clients with X-Preview-Token, and the app's own Authorization reaches it", async () => {
    const res = await rawRequest(`${platform.gateway}/p/${preview.previewId}/echo/headers?x=1`, { headers: withToken({ authorization: "Bearer app-jwt", cookie: "app_session=s2" }) });
    expect(res.status).toBe(200);
    const { headers, path, query } = JSON.parse(res.body) as { headers: Array<[string, string]>; path: string; query: string };
    expect(path).toBe("/echo/headers");
    expect(query).toBe("x=1");
    expect(headers).toContainEqual(["authorization", "Bearer app-jwt"]);
    expect(headers).toContainEqual(["cookie", "app_session=s2"]);
    expect(headers).toContainEqual(["x-forwarded-prefix", `/p/${preview.previewId}`]);
    expect(JSON.stringify(headers)).not.toContain(preview.previewToken);
    // A previewToken parameter there is no hand-off, and the app never sees it.
    const withParam = await rawRequest(`${platform.gateway}/p/${preview.previewId}/echo/headers?previewToken=${preview.previewToken}&x=2`, { headers: withToken() });
    expect((JSON.parse(withParam.body) as { query: string }).query).toBe("x=2");
  });

  it.each([
    { name: "a browser navigation", headers: {} },
    { name: "a request carrying only the hand-off cookie", headers: { cookie: "preview_token=PLACEHOLDER" } },
  ])("sends $name on /p/{id}/ to the preview's own origin", async ({ headers }) => {
    const cookie = headers.cookie?.replace("PLACEHOLDER", preview.previewToken);
    const res = await fetch(`${platform.gateway}/p/${preview.previewId}/docs?previewToken=abc`, { redirect: "manual", headers: cookie === undefined ? {} : { cookie } });
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe(`${base}/docs?previewToken=abc`);
  });

  it("refuses a non-GET on /p/{id}/ without X-Preview-Token, cookie or not", async () => {
    const res = await fetch(`${platform.gateway}/p/${preview.previewId}/items`, { method: "POST", headers: { cookie: `preview_token=${preview.previewToken}`, "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(401);
    expect(((await res.json()) as ErrorEnvelope).error.message).toContain(base);
  });

  it.each([
    "attacker.example:8080",
    "127.0.0.2",
    "evil.localhost",
    "x.y.preview.localhost",
  ])("refuses the Host %j, naming it", async (host) => {
    const res = await rawRequest(`${platform.gateway}/p/${preview.previewId}/items/1`, { headers: withToken({ host }) });
    expect(res.status).toBe(421);
    const body = JSON.parse(res.body) as ErrorEnvelope;
    expect(body.error.code).toBe("unknown_host");
    expect(body.error.details).toEqual({ host });
  });

  it("redirects /p/{id} to /p/{id}/", async () => {
    const res = await fetch(`${platform.gateway}/p/${preview.previewId}?a=1`, { redirect: "manual" });
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe(`${platform.gateway}/p/${preview.previewId}/?a=1`);
  });

  it("counts proxied traffic as activity for idle auto-stop", async () => {
    // A preview of its own that has had no proxied traffic yet: no earlier test's activity can flush in between.
    const fresh = await platform.runPreview("activity", proxyProbeApp);
    const lastActivity = () => {
      const [row] = platform.orchestrator.query<{ t: number }>("select last_activity_at as t from previews where id = ?", fresh.previewId);
      if (row === undefined) throw new Error(`no row for ${fresh.previewId}`);
      return row.t;
    };
    const before = lastActivity();
    const res = await fetch(`${platform.gateway}/p/${fresh.previewId}/items/1`, { headers: { "x-preview-token": fresh.previewToken } });
    expect(res.status).toBe(200);
    await eventually(() => (lastActivity() > before ? true : undefined), 10_000, "activity to be reported");
  });

  it("answers 503 once the preview is stopped", async () => {
    const other = await platform.runPreview("carol", proxyProbeApp);
    const url = `${platform.gateway}/p/${other.previewId}/items/1`;
    expect((await fetch(url, { headers: { "x-preview-token": other.previewToken } })).status).toBe(200);
    await callApi(platform.gateway, "DELETE", `/api/generations/${other.generationId}/preview`, { token: other.token });
    const res = await fetch(url, { headers: { "x-preview-token": other.previewToken } });
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorEnvelope).error.code).toBe("preview_not_running");
  });

  it("answers 503 when the preview died without the gateway being told", async () => {
    const other = await platform.runPreview("dave", proxyProbeApp);
    const url = `${platform.gateway}/p/${other.previewId}/items/1`;
    expect((await fetch(url, { headers: { "x-preview-token": other.previewToken } })).status).toBe(200);
    const { pid } = previewRow(platform.orchestrator, other.previewId);
    if (pid === null || pid <= 0) throw new Error(`preview ${other.previewId} has no process group to kill (pid ${String(pid)})`);
    process.kill(-pid, "SIGKILL");
    await eventually(() => (platform.orchestrator.query<{ status: string }>("select status from previews where id = ?", other.previewId)[0]?.status === "crashed" ? true : undefined), 10_000, "the crash to be recorded");
    const res = await fetch(url, { headers: { "x-preview-token": other.previewToken } });
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorEnvelope).error.code).toBe("preview_not_running");
  });
});
