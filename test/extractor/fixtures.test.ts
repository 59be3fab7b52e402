// Every fixture project's endpoints against FastAPI's own route table for it.
import { beforeAll, describe, expect, it } from "vitest";
import type { Endpoint } from "../../libs/extractor/endpoint.ts";
import { fastapiRoutes } from "./ground-truth.ts";
import type { TruthRoute } from "./ground-truth.ts";
import { join } from "node:path";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { directoryLibrary } from "../../libs/extractor/libraries.ts";
import { readProject } from "../../libs/extractor/read-project.ts";
import { extractFixture, fixtureDir, keysOf } from "./helpers.ts";

interface FixtureCase {
  readonly name: string;
  readonly truthEntry: string; // module:attr for FastAPI
  readonly entry?: string; // what the extractor is told, if anything
  /** FastAPI imports the project from this directory (relative to fixtures/) instead of the fixture's own. */
  readonly truthDir?: string;
  /** Installed-package directory (relative to the fixture) imports may lead into. */
  readonly sitePackages?: string;
  /** The project's own directory inside the fixture, when it is not the fixture itself. */
  readonly projectDir?: string;
}

const CASES: ReadonlyArray<FixtureCase> = [
  { name: "basic", truthEntry: "main:app" },
  { name: "package_routers", truthEntry: "app.main:app" },
  { name: "constants", truthEntry: "main:app" },
  { name: "factory", truthEntry: "main:app" },
  { name: "subclass_app", truthEntry: "main:app" },
  { name: "class_built", truthEntry: "main:app" },
  { name: "mounts", truthEntry: "main:app" },
  { name: "cycles", truthEntry: "main:app" },
  { name: "include_semantics", truthEntry: "main:app" },
  { name: "bad_code", truthEntry: "main:app" },
  { name: "never_included", truthEntry: "main:app" },
  { name: "entry_scan", truthEntry: "service.api:application" },
  { name: "explicit_entry", truthEntry: "admin_main:admin", entry: "admin_main:admin" },
  { name: "explicit_entry", truthEntry: "admin_main:admin", entry: "admin_main.py" },
  { name: "explicit_entry", truthEntry: "admin_main:create_admin", entry: "admin_main:create_admin" },
  { name: "explicit_entry", truthEntry: "main:app" },
  { name: "entry_uvicorn", truthEntry: "app.app:app" },
  { name: "settings_factory", truthEntry: "app.main:app" },
  { name: "route_lists", truthEntry: "main:app" },
  { name: "wrapper_class", truthEntry: "main:app" },
  { name: "settings_mixins", truthEntry: "main:app" },
  { name: "root_package", truthEntry: "root_package.main:app", truthDir: "." },
  { name: "namespace_package", truthEntry: "app.main:app" },
  { name: "comments", truthEntry: "main:app" },
  { name: "library_routers", truthEntry: "main:app", projectDir: "project", sitePackages: "site-packages" },
];

const projectOf = (c: FixtureCase): string => (c.projectDir ? join(fixtureDir(c.name), c.projectDir) : fixtureDir(c.name));

let truth: TruthRoute[][] = [];

beforeAll(() => {
  truth = fastapiRoutes(CASES.map((c) => ({
    dir: c.truthDir === undefined ? projectOf(c) : fixtureDir(c.truthDir),
    entry: c.truthEntry,
    sourceRoot: projectOf(c),
    libraries: c.sitePackages ? [join(fixtureDir(c.name), c.sitePackages)] : [],
  })));
}, 60_000);

/** FastAPI serves the first of two identical (method, path) routes; compare against that one. */
const firstByKey = <T extends { method: string; path: string }>(routes: ReadonlyArray<T>): Map<string, T> => {
  const map = new Map<string, T>();
  for (const route of routes) if (!map.has(`${route.method} ${route.path}`)) map.set(`${route.method} ${route.path}`, route);
  return map;
};

const bodyNames = (endpoint: Endpoint): string[] => {
  const body = endpoint.requestBody;
  if (!body) return [];
  return body.model.startsWith("Body_") ? (body.fields ?? []).map((field) => field.name) : ["<single>"];
};

describe.each(CASES.map((c, index) => [`${c.name}${c.entry ? ` (entry ${c.entry})` : ""}`, c, index] as const))(
  "fixture %s",
  (_, fixture, index) => {
    const result = () => extractEndpoints(readProject(projectOf(fixture)).files, {
      ...(fixture.entry ? { entry: fixture.entry } : {}),
      ...(fixture.sitePackages ? { libraries: [directoryLibrary(join(fixtureDir(fixture.name), fixture.sitePackages), "site-packages")] } : {}),
    });

    it("lists exactly the (method, path) pairs FastAPI serves", () => {
      const routes = truth[index] ?? [];
      expect(routes.length).toBeGreaterThan(0);
      expect(keysOf(result().endpoints)).toEqual(keysOf(routes));
    });

    it("agrees with FastAPI on handler, source line, tags, flags and parameters", () => {
      const expected = firstByKey(truth[index] ?? []);
      for (const endpoint of result().endpoints) {
        const route = expected.get(`${endpoint.method} ${endpoint.path}`);
        expect(route, `${endpoint.method} ${endpoint.path}`).toBeDefined();
        if (!route) continue;
        const where = `${endpoint.method} ${endpoint.path}`;
        expect(endpoint.name, where).toBe(route.name);
        if (route.file) expect(endpoint.source, where).toEqual({ file: route.file, line: route.line });
        if (route.tags === undefined) continue; // Starlette-level routes carry no OpenAPI data
        expect(endpoint.tags, where).toEqual(route.tags);
        expect(endpoint.deprecated ?? false, where).toBe(route.deprecated);
        expect(endpoint.statusCode ?? null, where).toBe(route.statusCode);
        expect(endpoint.summary ?? null, where).toBe(route.summary);
        expect(endpoint.description ?? null, where).toBe(route.description);
        expect(endpoint.queryParams.map((param) => param.name), where).toEqual(route.query);
        const declaredPathParams = endpoint.pathParams.filter((param) => route.path_params?.includes(param.name));
        expect(declaredPathParams.map((param) => param.name).sort(), where).toEqual([...(route.path_params ?? [])].sort());
        const body = route.body ?? [];
        expect(bodyNames(endpoint), where).toEqual(body.length > 1 || route.bodyModel?.startsWith("Body_") ? body : body.length === 1 ? ["<single>"] : []);
        if (endpoint.requestBody && !endpoint.requestBody.model.includes("[")) {
          expect(endpoint.requestBody.model, where).toBe(route.bodyModel);
        }
      }
    });
  },
);

describe("fields asserted by hand on the basic fixture", () => {
  const byKey = () => firstByKey(extractFixture("basic").endpoints);

  it("reports path parameter types, converters and the response model", () => {
    const endpoints = byKey();
    expect(endpoints.get("GET /items/{item_id}")).toMatchObject({
      name: "read_item",
      summary: "Read one item",
      pathParams: [{ name: "item_id", type: "int" }],
      queryParams: [{ name: "q", type: "Optional[str]" }, { name: "color", type: "Color" }],
      responseModel: "ItemOut",
      tags: ["items"],
      source: { file: "main.py", line: 46 },
    });
    expect(endpoints.get("GET /files/{file_path:path}")?.pathParams).toEqual([{ name: "file_path", type: "str" }]);
    expect(endpoints.get("POST /items")?.responseModel).toBe("ItemOut"); // from the return annotation
    expect(endpoints.get("POST /items")?.statusCode).toBe(201); // status.HTTP_201_CREATED
  });

  it("describes request bodies with their model's fields", () => {
    const endpoints = byKey();
    expect(endpoints.get("PUT /items/{item_id}")?.requestBody).toEqual({
      model: "ItemIn",
      fields: [
        { name: "name", type: "str" },
        { name: "price", type: "float" },
        { name: "tags", type: "List[str]" },
      ],
    });
    expect(endpoints.get("POST /upload")?.requestBody).toEqual({
      model: "Body_upload_upload_post",
      fields: [
        { name: "file", type: "UploadFile" },
        { name: "note", type: "str" },
      ],
    });
    expect(endpoints.get("PATCH /items/{item_id}")?.requestBody).toEqual({ model: "Dict[str, str]" });
  });

  it("marks websockets and sorts by path then method", () => {
    const endpoints = extractFixture("basic").endpoints;
    expect(endpoints.find((endpoint) => endpoint.path === "/ws/{room}")).toMatchObject({
      method: "WEBSOCKET",
      name: "chat",
      pathParams: [{ name: "room", type: "str" }],
      queryParams: [],
    });
    const order = endpoints.map((endpoint) => [endpoint.path, endpoint.method].join(" "));
    expect(order).toEqual([...order].sort());
  });
});
