// Route 4 and /status with a real running preview: the live OpenAPI's endpoints, located in the source.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Endpoint } from "../../libs/extractor/endpoint.ts";
import type { EndpointsView as EndpointsBody } from "../../libs/extractor/endpoints-view.ts";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { asCatalogAnswers } from "../extractor/helpers.ts";
import { callApi, eventually } from "../support/api.ts";
import { launch, previewPath, previewRow, status, upload } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";
import { filesOf, ownFixture } from "./support.ts";

type FromSource = Omit<EndpointsBody, "source">;

let o: TestOrchestrator;
let alice: string;
const files = filesOf(ownFixture("computed_paths"));
const fromSource = JSON.parse(JSON.stringify(asCatalogAnswers(extractEndpoints(files)))) as FromSource;
let generationId: string;
let previewId: string;
beforeAll(async () => {
  o = await startTestOrchestrator();
  alice = await o.token("alice");
  generationId = await upload(o, alice, files);
  const launched = await launch(o, alice, generationId, { wait: true });
  expect(launched.status).toBe(200);
  previewId = String(launched.body.previewInstanceId);
});
afterAll(() => o.dispose());

const endpoints = (path = `${previewPath(generationId)}/endpoints`) => callApi<EndpointsBody>(o.url, "GET", path, { token: alice });
const keys = (list: ReadonlyArray<{ method: string; path: string }>) => list.map((e) => `${e.method} ${e.path}`).sort();
const byKey = (list: ReadonlyArray<Endpoint>, key: string) => list.find((e) => `${e.method} ${e.path}` === key);

/** How many times this file itself has read the preview's /openapi.json (each read shows in its access log). */
let ownOpenApiReads = 0;

/** What the running app itself publishes, read from its port as an operator would. */
const servedOpenApi = async () => {
  const { port } = previewRow(o, previewId);
  ownOpenApiReads += 1;
  const doc = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
};

describe("endpoints of a running preview", () => {
  it("the fixture has a route the source alone cannot place", async () => {
    const served = await servedOpenApi();
    const computed = served.find((k) => k.startsWith("GET /made/"));
    expect(computed).toBeDefined();
    expect(keys(fromSource.endpoints)).not.toContain(computed);
  });

  it("lists what the preview serves (plus its WebSocket routes), with source locations where the source knows them", async () => {
    const res = await endpoints();
    expect(res.status).toBe(200);
    expect(res.body.source).toBe("live");
    const served = await servedOpenApi();
    // OpenAPI writes `{file_path}` where the route says `{file_path:path}`; the answer keeps the route's form.
    const withConverters = served.map((k) => k.replace("{file_path}", "{file_path:path}"));
    expect(keys(res.body.endpoints)).toEqual([...withConverters, "WEBSOCKET /ws"].sort());

    for (const endpoint of res.body.endpoints) {
      const key = `${endpoint.method} ${endpoint.path}`;
      const known = byKey(fromSource.endpoints, key);
      if (known === undefined) {
        expect(key).toMatch(/^GET \/made\/[0-9a-f]{8}$/);
        // The source alone cannot place it; the app's own route table knows its handler's file and line.
        expect(endpoint.source, key).toEqual({ file: "main.py", line: 16 });
        expect(endpoint.name).toBe("computed");
      } else {
        expect(endpoint.source, key).toEqual(known.source);
        expect(endpoint.source?.file, key).toMatch(/\.py$/);
        expect(endpoint.name, key).toBe(known.name);
      }
    }
    expect(res.body.diagnostics).toEqual(fromSource.diagnostics);
  });

  it("describes live endpoints from the OpenAPI document, typed from the source where it can", async () => {
    const list = (await endpoints(`/api/generations/${generationId}/endpoints`)).body.endpoints;
    expect(byKey(list, "GET /items/{item_id}")).toMatchObject({
      name: "read_item",
      summary: "Read one item",
      tags: ["items"],
      pathParams: [{ name: "item_id", type: "int" }],
      queryParams: [{ name: "q", type: "Optional[str]" }],
      source: { file: "routers/items.py" },
    });
    expect(byKey(list, "POST /items/")).toMatchObject({
      name: "create_item",
      statusCode: 201,
      requestBody: { model: "ItemIn", fields: [{ name: "name", type: "str" }, { name: "price", type: "float" }] },
    });
    // Only the live document knows the computed route's generated summary and its default status.
    expect(list.find((e) => e.path.startsWith("/made/"))).toMatchObject({ summary: "Computed", statusCode: 200, tags: [], pathParams: [], queryParams: [] });
  });

  it("/status carries the same endpoints in generatedEndpoints", async () => {
    const res = await status(o, alice, generationId);
    expect(res.body.status).toBe("running");
    expect(res.body.generatedEndpoints).toEqual((await endpoints()).body.endpoints);
  });

  it("reads the preview's OpenAPI once, not on every request (its access log shows each read)", async () => {
    // A request straight to the preview marks a point in its access log: every earlier access line comes before it.
    const { port } = previewRow(o, previewId);
    const openApiReadsUpTo = async (marker: number) => {
      expect((await fetch(`http://127.0.0.1:${port}/items/${marker}`)).status).toBe(200);
      const lines = await eventually(() => {
        const all = o.logs(previewId).map((l) => l.message);
        return all.some((m) => m.includes(`GET /items/${marker}`)) ? all : undefined;
      }, 20_000, `the marker request ${marker} in the preview's log`);
      return lines.filter((m) => m.includes("GET /openapi.json")).length;
    };
    // Whatever ran before, the platform has now been asked for the live endpoints at least once.
    expect((await endpoints()).body.source).toBe("live");
    const before = await openApiReadsUpTo(424241);
    // Of the reads so far, all but this file's own (servedOpenApi) are the platform's: exactly one.
    expect(before - ownOpenApiReads).toBe(1);
    for (let i = 0; i < 3; i++) {
      expect((await endpoints()).body.source).toBe("live");
      expect((await status(o, alice, generationId)).body.status).toBe("running");
    }
    // Six more requests for the endpoints, not one more read of the preview's OpenAPI.
    expect(await openApiReadsUpTo(424242)).toBe(before);
  });

  it("goes back to the source once the preview is stopped", async () => {
    expect((await callApi(o.url, "DELETE", previewPath(generationId), { token: alice })).status).toBe(200);
    const res = await endpoints();
    expect(res.body).toEqual({ source: "static", ...fromSource });
    const after = await status(o, alice, generationId);
    expect(after.body.status).toBe("stopped");
    expect(after.body.generatedEndpoints).toEqual(fromSource.endpoints);
  });
});

describe("a running preview that publishes no OpenAPI document", () => {
  it("is listed from its own route table, located in the source", async () => {
    const project = filesOf(ownFixture("no_openapi"));
    const id = await upload(o, alice, project);
    const launched = await launch(o, alice, id, { wait: true });
    expect(launched.status).toBe(200);
    const { port } = previewRow(o, String(launched.body.previewInstanceId));
    expect((await fetch(`http://127.0.0.1:${port}/ping`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/openapi.json`)).status).toBe(404);

    const res = await endpoints(`/api/generations/${id}/endpoints`);
    expect(res.status).toBe(200);
    const fromItsSource = JSON.parse(JSON.stringify(extractEndpoints(project))) as FromSource;
    expect(res.body.source).toBe("live");
    expect(keys(res.body.endpoints)).toEqual(["GET /ping"]);
    expect(res.body.endpoints[0]?.source).toEqual(fromItsSource.endpoints[0]?.source);
    await callApi(o.url, "DELETE", previewPath(id), { token: alice });
  });
});
