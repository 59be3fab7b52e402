// Route 4 of a running preview lists the app's real route table (reported by the boot program),
// wherever the app put its OpenAPI document and whatever it left out of it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EndpointsView } from "../../libs/extractor/endpoints-view.ts";
import { callApi } from "../support/api.ts";
import { launch, previewPath, previewRow, upload } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";

/** The most common generated layout: settings.API_V1_STR as the OpenAPI prefix, plus what OpenAPI never lists. */
const apiV1Project = {
  "app/__init__.py": "",
  "app/core/__init__.py": "",
  "app/core/config.py": "class Settings:\n    API_V1_STR = '/api/v1'\n    PROJECT_NAME = 'Generated'\n\nsettings = Settings()\n",
  "app/api/__init__.py": "",
  "app/api/items.py": [
    "from fastapi import APIRouter",
    "",
    "router = APIRouter()",
    "",
    "@router.get('/', summary='List the items')",
    "def list_items(limit: int = 10):",
    "    return [{'id': i} for i in range(limit)]",
    "",
    "@router.get('/internal/stats', include_in_schema=False)",
    "def hidden_stats():",
    "    return {'hidden': True}",
    "",
  ].join("\n"),
  "app/main.py": [
    "from fastapi import FastAPI, WebSocket",
    "from fastapi.staticfiles import StaticFiles",
    "from app.api import items",
    "from app.core.config import settings",
    "",
    "app = FastAPI(title=settings.PROJECT_NAME, openapi_url=f'{settings.API_V1_STR}/openapi.json')",
    "app.include_router(items.router, prefix=f'{settings.API_V1_STR}/items', tags=['items'])",
    "",
    "@app.websocket('/ws/echo')",
    "async def echo(websocket: WebSocket):",
    "    await websocket.accept()",
    "    await websocket.send_text(await websocket.receive_text())",
    "    await websocket.close()",
    "",
    "admin = FastAPI(openapi_url=None)",
    "",
    "@admin.post('/reindex')",
    "def reindex():",
    "    return {'ok': True}",
    "",
    "app.mount('/admin', admin)",
    "app.mount('/static', StaticFiles(directory='static'), name='static')",
    "",
  ].join("\n"),
  "static/readme.txt": "static file\n",
};

let o: TestOrchestrator;
let token: string;
let generationId: string;
beforeAll(async () => {
  o = await startTestOrchestrator();
  token = await o.token("live-routes");
  generationId = await upload(o, token, apiV1Project);
  const launched = await launch(o, token, generationId, { wait: true });
  expect(launched.status).toBe(200);
});
afterAll(() => o?.dispose());

describe("the live route table", () => {
  it("lists every route the app serves, as live, though its OpenAPI is under /api/v1 and lacks half of them", async () => {
    const res = await callApi<EndpointsView>(o.url, "GET", `${previewPath(generationId)}/endpoints`, { token });
    expect(res.status).toBe(200);
    expect(res.body.source).toBe("live");
    expect(res.body.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual([
      "POST /admin/reindex",
      "GET /api/v1/items/",
      "GET /api/v1/items/internal/stats",
      "GET /static/{path:path}",
      "WEBSOCKET /ws/echo",
    ]);
    // The app's own docs routes are FastAPI's, not the project's endpoints.
    expect(res.body.endpoints.some((e) => e.path.endsWith("openapi.json") || e.path === "/docs")).toBe(false);
  });

  it("takes summaries, tags and parameters from the OpenAPI document wherever the app serves it", async () => {
    const { endpoints } = (await callApi<EndpointsView>(o.url, "GET", `${previewPath(generationId)}/endpoints`, { token })).body;
    const list = endpoints.find((e) => e.path === "/api/v1/items/");
    expect(list).toMatchObject({ name: "list_items", summary: "List the items", tags: ["items"], queryParams: [{ name: "limit" }] });
    expect(list?.source).toMatchObject({ file: "app/api/items.py" });
    // Hidden from OpenAPI, still served and still listed, with where its handler is.
    const hidden = endpoints.find((e) => e.path === "/api/v1/items/internal/stats");
    expect(hidden).toMatchObject({ name: "hidden_stats", source: { file: "app/api/items.py" } });
    expect(endpoints.find((e) => e.method === "WEBSOCKET")).toMatchObject({ name: "echo", source: { file: "app/main.py" } });
  });

  it("lists routes that really answer: the hidden one and the mounted ones", async () => {
    const [row] = o.query<{ id: string }>("select id from previews where generation_id = ?", generationId);
    const { port } = previewRow(o, row?.id ?? "");
    expect(await (await fetch(`http://127.0.0.1:${port}/api/v1/items/internal/stats`)).json()).toEqual({ hidden: true });
    expect((await fetch(`http://127.0.0.1:${port}/admin/reindex`, { method: "POST" })).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/static/readme.txt`)).text()).toBe("static file\n");
    expect((await fetch(`http://127.0.0.1:${port}/openapi.json`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`)).status).toBe(200);
  });

  it("/status carries the same live endpoints", async () => {
    const status = await callApi<{ generatedEndpoints: unknown[] }>(o.url, "GET", `${previewPath(generationId)}/status`, { token });
    const endpoints = await callApi<EndpointsView>(o.url, "GET", `${previewPath(generationId)}/endpoints`, { token });
    expect(status.body.generatedEndpoints).toEqual(endpoints.body.endpoints);
  });
});
