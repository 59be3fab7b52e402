// Settings read from the environment (pydantic-settings, starlette's Config, os.getenv /
// os.environ, a pydantic model fed from os.environ) decide which routes exist and where. The
// extractor is given the environment the preview runs with; with none, every variable reads as the
// default the code names. Ground truth: FastAPI's own route table from the sandbox image's Python
// (it has pydantic-settings), imported with the same environment.
import { beforeAll, describe, expect, it } from "vitest";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { readProject } from "../../libs/extractor/read-project.ts";
import { imageTruth } from "../../bench/corpus/image-python.ts";
import { fixtureDir, fixtureVariant, removeDir } from "./helpers.ts";

const ENVIRONMENTS: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ["no variables set (the defaults)", {}],
  [
    "variables set at launch",
    { APP_DOCS_ENABLED: "false", app_admin: "1", APP_API_PREFIX: "/v2", METRICS: "true", HEALTH_PATH: "/live", DEBUG: "false", VERSION: "v9", REDOC_URL: "/unused" },
  ],
  ["docs moved by os.getenv / os.environ.get", { DOCS_URL: "/manual", REDOC_URL: "/book", APP_ADMIN: "no" }],
];

const dir = fixtureDir("environment");
let truth: string[][] = [];

beforeAll(() => {
  truth = imageTruth(dir, ENVIRONMENTS.map(([, env]) => ({ dir: "/tmp/corpus", entry: "main:app", env }))).map((result) => {
    if ("error" in result) throw new Error(`FastAPI could not import the fixture: ${result.error}`);
    return result.routes;
  });
}, 120_000);

describe.each(ENVIRONMENTS.map(([name, env], index) => [name, env, index] as const))("environment: %s", (_, env, index) => {
  it("lists exactly the routes FastAPI serves with that environment", () => {
    const result = extractEndpoints(readProject(dir).files, { env });
    const found = [...new Set(result.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`))].sort();
    expect(found).toEqual(truth[index]);
    expect(result.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  });
});

describe("environment: what stays unknown", () => {
  it("a required variable that is unset, or a value pydantic would refuse, is reported with its file and line", () => {
    const files = {
      "main.py": [
        "import os",
        "from fastapi import FastAPI",
        "from starlette.config import Config",
        "from pydantic_settings import BaseSettings",
        "class S(BaseSettings):",
        "    ON: bool = True",
        "app = FastAPI()",
        'PREFIX = Config()("PREFIX")',
        "@app.get(PREFIX + '/a')",
        "def a(): pass",
        "if S().ON:",
        "    @app.get('/b')",
        "    def b(): pass",
      ].join("\n"),
    };
    const result = extractEndpoints(files, { env: { ON: "maybe" } });
    expect(result.endpoints).toEqual([]);
    const problems = result.diagnostics.filter((d) => d.severity !== "info");
    expect(problems.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual(["unresolved_path main.py:9", "conditional_route main.py:12"]);
    expect(problems[0]?.message).toContain("PREFIX is not set and has no default");
    expect(problems[1]?.message).toContain('"maybe" is not a valid bool');
  });

  it("each reader's own words for a bool: starlette refuses what pydantic and decouple take", () => {
    const files = {
      "main.py": [
        "from decouple import config as decouple_config",
        "from fastapi import FastAPI",
        "from starlette.config import Config",
        "app = FastAPI()",
        "if decouple_config('FLAG', cast=bool, default=False):",
        "    @app.get('/decouple')",
        "    def d(): pass",
        "if Config()('FLAG', cast=bool, default=False):",
        "    @app.get('/starlette')",
        "    def s(): pass",
      ].join("\n"),
    };
    const result = extractEndpoints(files, { env: { FLAG: "yes" } });
    expect(result.endpoints.map((endpoint) => endpoint.path)).toEqual(["/decouple"]);
    const problems = result.diagnostics.filter((d) => d.severity !== "info");
    expect(problems.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual(["conditional_route main.py:9"]);
    expect(problems[0]?.message).toContain("is not cast by bool statically");
    expect(extractEndpoints(files, { env: { FLAG: "1" } }).endpoints.map((endpoint) => endpoint.path)).toEqual(["/decouple", "/starlette"]);
  });

  it("the project's .env is applied as the boot program does, under the launch's variables", () => {
    const variant = fixtureVariant("environment", { ".env": "# set for the preview\nexport APP_ADMIN=true\nMETRICS='1'\nHEALTH_PATH=/alive # a comment\n" });
    try {
      const [truth] = imageTruth(variant, [{ dir: "/tmp/corpus", entry: "main:app", env: { APP_ADMIN: "true", METRICS: "1", HEALTH_PATH: "/alive" } }]);
      if (!truth || "error" in truth) throw new Error(`FastAPI could not import the variant: ${JSON.stringify(truth)}`);
      const keys = (env: Record<string, string>) =>
        [...new Set(extractEndpoints(readProject(variant).files, { env }).endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`))].sort();
      expect(keys({})).toEqual(truth.routes);
      expect(truth.routes).toEqual(expect.arrayContaining(["GET /admin/stats", "GET /metrics", "GET /alive"]));
      expect(keys({ HEALTH_PATH: "/launch" })).toContain("GET /launch");
      expect(keys({ HEALTH_PATH: "/launch" })).not.toContain("GET /alive");
    } finally {
      removeDir(variant);
    }
  }, 60_000);
});
