// Route 4 before launch follows imports into the preview runtime's installed packages: the
// host runtime's Python is a real virtualenv whose site-packages holds a router-building
// package (the auth_kit fixture), asked by the orchestrator itself; the extractor service
// refuses library dirs outside its allow-list.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi } from "../support/api.ts";
import { upload } from "../support/previews.ts";
import { startTestOrchestrator, testInternalToken, type TestOrchestrator } from "../support/test-orchestrator.ts";
import { extractorFixture, filesOf, startTestExtractor, type TestExtractor } from "./support.ts";

const fixture = extractorFixture("library_routers");
const project = filesOf(join(fixture, "project"));

/** A real venv (no pip: quick) and its site-packages dir, as `site.getsitepackages()` names it. */
const makeVenv = (dir: string) => {
  execFileSync("python3", ["-m", "venv", "--without-pip", dir]);
  const lib = readdirSync(join(dir, "lib")).find((d) => d.startsWith("python")) ?? "";
  return { python: join(dir, "bin", "python"), sitePackages: join(dir, "lib", lib, "site-packages") };
};
const installAuthKit = (sitePackages: string) => cpSync(join(fixture, "site-packages", "auth_kit"), join(sitePackages, "auth_kit"), { recursive: true });

interface Catalog {
  readonly source: string;
  readonly endpoints: ReadonlyArray<{ method: string; path: string; source: { file: string; line: number } }>;
  readonly diagnostics: ReadonlyArray<{ code: string; file: string; line: number }>;
}

let root: string;
let extractor: TestExtractor;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "runtime-libs-"));
  extractor = await startTestExtractor({ LIBRARY_ROOTS: root });
});
afterAll(async () => {
  await extractor.dispose();
  rmSync(root, { recursive: true, force: true });
});

const endpointsOf = async (o: TestOrchestrator, token: string, generationId: string) => {
  const res = await callApi<Catalog>(o.url, "GET", `/api/generations/${generationId}/endpoints`, { token });
  expect(res.status).toBe(200);
  return res.body;
};

describe.each([
  ["through the extractor service", () => ({ EXTRACTOR_URL: extractor.url })],
  ["in the orchestrator's own extraction workers", () => ({})],
])("library-built routers %s", (_name, extractorSettings) => {
  let o: TestOrchestrator;
  let venv: ReturnType<typeof makeVenv>;
  beforeAll(async () => {
    venv = makeVenv(mkdtempSync(join(root, "venv-")));
    o = await startTestOrchestrator({ ...extractorSettings(), PYTHON: venv.python });
  });
  afterAll(async () => {
    await o.dispose();
  });

  it("without the package, route 4 says which includes it could not follow; once installed, they are listed from the library", async () => {
    const alice = await o.token("alice");
    const generationId = await upload(o, alice, project);
    const before = await endpointsOf(o, alice, generationId);
    expect(before.source).toBe("static");
    expect(before.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(["GET /authenticated-route"]);
    expect(before.diagnostics.filter((d) => d.code === "unresolved_router").map((d) => `${d.file}:${d.line}`)).toEqual(["main.py:16", "main.py:17", "main.py:18"]);

    // Installing a package into the runtime changes what the preview would serve: the cached answer is not reused.
    installAuthKit(venv.sitePackages);
    const after = await endpointsOf(o, alice, generationId);
    expect(after.source).toBe("static");
    const keys = after.endpoints.map((e) => `${e.method} ${e.path}`);
    expect(keys).toContain("POST /auth/jwt/login");
    expect(keys).toContain("GET /authenticated-route");
    expect(after.endpoints.find((e) => e.method === "DELETE" && e.path === "/users/{id}")?.source).toEqual({ file: "site-packages/auth_kit/router/users.py", line: 19 });
    expect(after.diagnostics.filter((d) => d.code === "unresolved_router")).toEqual([]);
  });
});

describe("the extractor service's library allow-list", () => {
  const extract = (libraries: ReadonlyArray<string>) =>
    callApi<{ error: { code: string; message: string } }>(extractor.url, "POST", "/internal/extract", {
      headers: { "x-internal-token": testInternalToken },
      json: { files: project, libraries },
    });

  it.each([
    ["a relative path", "site-packages", "not an absolute path"],
    ["a missing directory", "/nonexistent/site-packages", "not an existing directory"],
    ["a directory outside the roots", "/usr/lib", "not under an allowed library root"],
  ])("refuses %s with a 400 naming it", async (_what, dir, problem) => {
    const res = await extract([dir]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.message).toContain(JSON.stringify(dir));
    expect(res.body.error.message).toContain(problem);
  });

  it("refuses a way out of a root through '..'", async () => {
    const res = await extract([join(root, "..")]);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("not under an allowed library root");
  });
});

describe("an extractor service whose allow-list leaves out the runtime's packages", () => {
  let narrow: TestExtractor;
  let o: TestOrchestrator;
  beforeAll(async () => {
    const venv = makeVenv(mkdtempSync(join(root, "venv-")));
    installAuthKit(venv.sitePackages);
    narrow = await startTestExtractor({ LIBRARY_ROOTS: join(root, "elsewhere") });
    o = await startTestOrchestrator({ EXTRACTOR_URL: narrow.url, PYTHON: venv.python });
  });
  afterAll(async () => {
    await o.dispose();
    await narrow.dispose();
  });

  it("route 4 still lists the project's own routes and warns that installed packages were not read", async () => {
    const alice = await o.token("alice");
    const body = await endpointsOf(o, alice, await upload(o, alice, project));
    expect(body.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(["GET /authenticated-route"]);
    const warning = body.diagnostics.find((d) => d.code === "libraries_not_read") as { message?: string } | undefined;
    expect(warning?.message).toContain("not under an allowed library root");
    expect(warning?.message).toContain("site-packages");
  });
});
