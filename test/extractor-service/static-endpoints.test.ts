// Route 4 without a preview: the endpoints of an uploaded project, from its source, for its owner only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { asCatalogAnswers } from "../extractor/helpers.ts";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { noEntryProject } from "../support/fixture-apps.ts";
import { launch, previewPath, upload, waitForStatus } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";
import { extractorFixture, filesOf } from "./support.ts";

let o: TestOrchestrator;
let alice: string;
let bob: string;
const files = filesOf(extractorFixture("package_routers"));
let generationId: string;
beforeAll(async () => {
  o = await startTestOrchestrator();
  alice = await o.token("alice");
  bob = await o.token("bob");
  generationId = await upload(o, alice, files);
});
afterAll(() => o.dispose());

/**
 * The line a reported location leads to once the decorators starting there are skipped (a decorator
 * may span lines until its brackets close): the handler's `def` line when the location is right.
 */
const handlerLine = (lines: ReadonlyArray<string>, from: number): string => {
  let at = from;
  while (/^\s*@/.test(lines[at] ?? "")) {
    let depth = 0;
    do {
      for (const ch of lines[at] ?? "") {
        if (ch === "(" || ch === "[" || ch === "{") depth += 1;
        else if (ch === ")" || ch === "]" || ch === "}") depth -= 1;
      }
      at += 1;
    } while (depth > 0 && at < lines.length);
  }
  return lines[at] ?? "";
};

const routes = (g: string) => [`${previewPath(g)}/endpoints`, `/api/generations/${g}/endpoints`];

describe("GET /endpoints without a preview", () => {
  it("answers, on the route and its alias, what the extractor finds in the uploaded files", async () => {
    const expected = JSON.parse(JSON.stringify(extractEndpoints(files))) as ReturnType<typeof extractEndpoints>;
    expect(expected.endpoints.length).toBeGreaterThan(3);
    for (const path of routes(generationId)) {
      const res = await callApi(o.url, "GET", path, { token: alice });
      expect(res.status, path).toBe(200);
      expect(res.body).toEqual({ source: "static", ...asCatalogAnswers(expected) });
    }
  });

  it("reads the settings with the project's .env applied, as the preview's boot program does", async () => {
    const withDotenv = { ...filesOf(extractorFixture("environment")), ".env": "APP_ADMIN=true\n" };
    const generation = await upload(o, alice, withDotenv);
    const res = await callApi<{ endpoints: Array<{ path: string }> }>(o.url, "GET", routes(generation)[0] ?? "", { token: alice });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ source: "static", ...asCatalogAnswers(JSON.parse(JSON.stringify(extractEndpoints(withDotenv)))) });
    expect(res.body.endpoints.map((endpoint) => endpoint.path)).toContain("/admin/stats");
  });

  it("reads the settings with the generation's launch env, the one its preview imports the app with", async () => {
    const project = filesOf(extractorFixture("environment"));
    const generation = await upload(o, alice, project);
    const env = { APP_ADMIN: "true", HEALTH_PATH: "/launched" };
    const launched = await launch(o, alice, generation, { env });
    expect(launched.status).toBe(202);
    // The host's Python has no pydantic-settings: the preview fails, and route 4 answers from the source.
    await waitForStatus(o, alice, generation, "failed", 60_000);
    const res = await callApi<{ source: string; endpoints: Array<{ path: string }> }>(o.url, "GET", routes(generation)[0] ?? "", { token: alice });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ source: "static", ...asCatalogAnswers(JSON.parse(JSON.stringify(extractEndpoints(project, { env })))) });
    expect(res.body.endpoints.map((endpoint) => endpoint.path)).toEqual(expect.arrayContaining(["/admin/stats", "/launched"]));
  }, 90_000);

  it("every endpoint points at its handler in the project", async () => {
    const res = await callApi<{ endpoints: Array<{ name: string; source: { file: string; line: number } }> }>(o.url, "GET", routes(generationId)[0] ?? "", { token: alice });
    expect(res.status).toBe(200);
    const expected = extractEndpoints(files).endpoints;
    expect(expected.length).toBeGreaterThan(3);
    expect(res.body.endpoints).toHaveLength(expected.length);
    for (const endpoint of res.body.endpoints) {
      const source = files[endpoint.source.file];
      expect(source, `${endpoint.name}: ${endpoint.source.file}`).toBeDefined();
      const lines = (source ?? "").split("\n");
      expect(endpoint.source.line, endpoint.name).toBeGreaterThanOrEqual(1);
      expect(endpoint.source.line, endpoint.name).toBeLessThanOrEqual(lines.length);
      expect(handlerLine(lines, endpoint.source.line - 1), endpoint.name).toMatch(new RegExp(`^\\s*(async\\s+)?def ${endpoint.name}\\s*\\(`));
    }
  });

  it("reports a project with no app through its diagnostics, not as an error", async () => {
    const id = await upload(o, alice, noEntryProject);
    const res = await callApi<{ source: string; endpoints: unknown[]; diagnostics: Array<{ code: string }> }>(o.url, "GET", routes(id)[1] ?? "", { token: alice });
    expect(res.status).toBe(200);
    expect(res.body.source).toBe("static");
    expect(res.body.endpoints).toEqual([]);
    expect(res.body.diagnostics.map((d) => d.code)).toContain("no_entry");
  });

  it("answers another user's generation exactly like a missing one: 404 generation_not_found", async () => {
    for (const path of [...routes(generationId), ...routes("doesnotexist0000000")]) {
      const res = await callApi(o.url, "GET", path, { token: bob });
      expect(res.status, path).toBe(404);
      expect((res.body as unknown as ErrorEnvelope).error.code).toBe("generation_not_found");
    }
  });

  it("needs a user token", async () => {
    for (const path of routes(generationId)) {
      const res = await callApi(o.url, "GET", path);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
    }
  });
});
