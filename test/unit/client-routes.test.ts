import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { type ApiRoute, api, apiRoutes } from "../../libs/api/routes.ts";
import type * as views from "../../libs/api/views.ts";
import { type ApiResult, createPreviewClient, type PreviewClient } from "../../libs/client/api-client.ts";
import type { LaunchBody } from "../../libs/previews/contract.ts";

// The client's methods are derived from the one declaration of the API: one per route, which
// sends to that route's method and path, writes the query with the route's Schemas and decodes
// the answer with the route's response Schema. A real server on port 0 records what arrives and
// answers what each test gives it.

interface Received { readonly method: string; readonly url: string; readonly body: string }
const received: Received[] = [];
let answer: (r: Received) => { status: number; json: unknown } = () => ({ status: 200, json: {} });
let server: Server;
let client: PreviewClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => { body += chunk.toString(); });
    req.on("end", () => {
      const r = { method: req.method ?? "", url: req.url ?? "", body };
      received.push(r);
      const { status, json } = answer(r);
      res.writeHead(status, { "content-type": "application/json", "x-request-id": "rid-1" }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  client = createPreviewClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, token: () => "t" });
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
});

const templateOf = (url: string) => new URL(url, "http://x").pathname.replace(/\/api\/generations\/g%201/, "/api/generations/{generationId}");

describe("the typed client, derived from the route declarations", () => {
  it("has a method for every route a client calls, each sent to its declared route", async () => {
    received.length = 0;
    const callable: ReadonlyArray<[string, ApiRoute]> = Object.entries(api).filter(([, r]) => !("notInClient" in r));
    for (const [name, route] of callable) {
      // The route's own success status, with a body no declared answer fits (each has required fields).
      answer = () => ({ status: Number(Object.keys(route.responses)[0]), json: {} });
      const method = (client as unknown as Record<string, (...args: unknown[]) => Promise<ApiResult<unknown>>>)[name];
      expect(method, name).toBeTypeOf("function");
      const args = [...route.path.matchAll(/\{/g)].map(() => "g 1");
      const result = await method?.(...args);
      const sent = received.at(-1);
      expect(`${sent?.method} ${templateOf(sent?.url ?? "")}`, name).toBe(`${route.method.toUpperCase()} ${route.path}`);
      if (route.body !== undefined) expect(sent?.body, name).toBe("{}");
      expect(result?.ok ? "decoded" : result?.error.code, name).toBe("invalid_response");
    }
    expect(callable.length).toBe(apiRoutes.filter((r) => r.notInClient !== true).length);
  });

  it("decodes an answer with the route's schema, and names what does not match", async () => {
    const page = { previews: [], nextCursor: null, addedLater: true };
    answer = () => ({ status: 200, json: page });
    expect(await client.listPreviews()).toEqual({ ok: true, value: { previews: [], nextCursor: null } });

    answer = () => ({ status: 200, json: { previews: [], nextCursor: 5 } });
    const wrong = await client.listPreviews();
    expect(wrong).toMatchObject({ ok: false, error: { status: 200, code: "invalid_response", requestId: "rid-1", details: { issues: [{ field: "nextCursor" }] } } });
    expect(wrong.ok ? "" : wrong.error.message).toMatch(/^The answer to GET \/api\/previews does not match its declared schema at "nextCursor": /);

    answer = () => ({ status: 201, json: { previews: [], nextCursor: null } });
    expect(await client.listPreviews()).toMatchObject({ ok: false, error: { status: 201, code: "invalid_response", message: "GET /api/previews answered 201, a status it does not declare" } });

    answer = () => ({ status: 404, json: { error: { code: "preview_not_found", message: "No preview", requestId: "r9" } } });
    expect(await client.status("g1")).toEqual({ ok: false, error: { status: 404, code: "preview_not_found", message: "No preview", requestId: "r9" } });
  });

  it("writes the query with the route's schemas, and refuses a value outside them before sending", async () => {
    answer = () => ({ status: 200, json: { previews: [], nextCursor: null } });
    received.length = 0;
    await client.listPreviews({ limit: 5, status: "live", cursor: "c/1" });
    expect(received.at(-1)?.url).toBe("/api/previews?limit=5&cursor=c%2F1&status=live");
    await client.listPreviews({});
    expect(received.at(-1)?.url).toBe("/api/previews");

    const refused = await client.listPreviews({ limit: 0 });
    expect(refused).toMatchObject({ ok: false, error: { status: 0, code: "invalid_request", details: { issues: [{ field: "limit" }] } } });
    expect(refused.ok ? "" : refused.error.message).toContain('"limit"');
    expect(received).toHaveLength(2);

    answer = () => ({ status: 200, json: { previewInstanceId: "p", logs: [], nextAfter: null } });
    await client.logs("g1", { after: 7, level: "WARN" });
    expect(received.at(-1)?.url).toBe("/api/generations/g1/preview/logs?after=7&level=WARN");
  });

  it("builds the URLs it hands to a browser from the declared routes", () => {
    const stream = new URL(client.logStreamUrl("g1", "tok", { lastEventId: 3, tail: 10 }));
    expect(`${stream.pathname}${stream.search}`).toBe("/api/generations/g1/preview/logs/stream?token=tok&lastEventId=3&tail=10");
    expect(new URL(client.exportUrl("g1", "ndjson")).search).toBe("?format=ndjson");
    for (const url of [stream.href, client.exportUrl("g1", "text")]) {
      const template = templateOf(url).replace("/g1/", "/{generationId}/");
      expect(apiRoutes.some((r) => r.method === "get" && r.path === template), template).toBe(true);
    }
  });

  it("types each method from its route: path parameters, then the body or query; the answer's schema type", () => {
    expectTypeOf<PreviewClient["launch"]>().parameters.toEqualTypeOf<[string, LaunchBody?]>();
    expectTypeOf<PreviewClient["launch"]>().returns.toEqualTypeOf<Promise<ApiResult<typeof views.LaunchView.Type>>>();
    expectTypeOf<PreviewClient["getGeneration"]>().parameters.toEqualTypeOf<[string]>();
    expectTypeOf<PreviewClient["listPreviews"]>().returns.toEqualTypeOf<Promise<ApiResult<typeof views.PreviewPage.Type>>>();
    expectTypeOf<Parameters<PreviewClient["listPreviews"]>[0]>().toEqualTypeOf<typeof api.listPreviews.query.Type | undefined>();
    expectTypeOf<PreviewClient["createGeneration"]>().parameters.toEqualTypeOf<[typeof api.createGeneration.body.Encoded]>();
  });
});
