// What cannot be resolved statically is reported with file and line and never guessed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../libs/extractor/endpoint.ts";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { fastapiRoutes } from "./ground-truth.ts";
import type { TruthRoute } from "./ground-truth.ts";
import { extractFixture, fixtureDir, fixtureVariant, keysOf, removeDir } from "./helpers.ts";

/** Warnings and errors as `code file:line` (the info on which entry was chosen is tested in entry.test.ts). */
const brief = (diagnostics: ReadonlyArray<Diagnostic>) => diagnostics.filter((d) => d.severity !== "info").map((d) => `${d.code} ${d.file}:${d.line}`);

describe("unresolvable patterns (fixture `unresolvable`)", () => {
  let truth: TruthRoute[] = [];
  beforeAll(() => {
    truth = fastapiRoutes([{ dir: fixtureDir("unresolvable"), entry: "main:app" }])[0] ?? [];
  }, 60_000);

  it("lists only routes FastAPI serves, and all of them except the dynamic ones", () => {
    const extracted = keysOf(extractFixture("unresolvable").endpoints);
    const served = keysOf(truth);
    expect(extracted.every((key) => served.includes(key))).toBe(true);
    // Every handler the fixture registers dynamically is named dynamic_*; exactly those are missing.
    const dynamic = keysOf(truth.filter((route) => route.name.startsWith("dynamic_")));
    expect(dynamic.length).toBe(5);
    expect(served.filter((key) => !extracted.includes(key))).toEqual(dynamic);
  });

  it("reports each one with its file and line", () => {
    const diagnostics = brief(extractFixture("unresolvable").diagnostics);
    expect(diagnostics).toEqual(
      expect.arrayContaining([
        "unresolved_router main.py:16", // loop over a computed list
        "conditional_include main.py:22", // if platform.system() == ...
        "unresolved_prefix main.py:25", // prefix from the machine it runs on
        "unresolved_router main.py:29", // importlib.import_module(...).router
        "unresolved_path dynamic_paths.py:17", // path from a function call on a run-time value
      ]),
    );
    const loop = extractFixture("unresolvable").diagnostics.find((d) => d.line === 16);
    expect(loop?.message).toContain("loop over `get_routers()`");
  });

  it("does not report a router whose include was already reported as conditional", () => {
    const diagnostics = brief(extractFixture("unresolvable").diagnostics);
    expect(diagnostics).not.toContain("router_not_included debug_routes.py:3");
    expect(diagnostics).toContain("router_not_included dynamic_loop_a.py:3");
  });
});

describe("routers and apps that never reach the served app", () => {
  it("names each router defined but never included, imported or not, and stray apps", () => {
    const { diagnostics } = extractFixture("never_included");
    expect(brief(diagnostics)).toEqual([
      "router_not_included routers/orphan.py:3",
      "router_not_included routers/unimported.py:3",
      "app_not_served tools.py:3",
    ]);
    expect(diagnostics.find((d) => d.code === "router_not_included")?.message).toBe("router `routers.orphan.orphan_router` defined but never included in the app");
  });

  it("reports a duplicate (method, path) as unreachable", () => {
    expect(brief(extractFixture("include_semantics").diagnostics)).toEqual(["duplicate_route main.py:58"]);
  });
});

describe("bad code never stops the rest", () => {
  const variants: string[] = [];
  afterAll(() => variants.forEach(removeDir));

  it("reports a syntax error, a binary file and a non-UTF-8 file, and reads a declared Latin-1 file", () => {
    const { endpoints, diagnostics } = extractFixture("bad_code");
    expect(brief(diagnostics)).toEqual(["binary_file stray/blob.py:1", "syntax_error stray/broken_syntax.py:7", "invalid_encoding stray/not_utf8.py:4"]);
    expect(endpoints.find((endpoint) => endpoint.path === "/legacy/café")).toMatchObject({ summary: "Café crème", description: "Serves café." });
  });

  it("lists the other files' routes when an included module has a syntax error", () => {
    const { endpoints, diagnostics } = extractFixture("broken_import");
    expect(brief(diagnostics)).toEqual(["unresolved_router main.py:7", "syntax_error routers/broken.py:7"]);
    const repaired = fixtureVariant("broken_import", { "routers/broken.py": "from fastapi import APIRouter\nrouter = APIRouter()\n" });
    variants.push(repaired);
    expect(keysOf(endpoints)).toEqual(keysOf(fastapiRoutes([{ dir: repaired, entry: "main:app" }])[0] ?? []));
  });

  it("reports an import cycle that Python would fail on, and lists what it can", () => {
    const { endpoints, diagnostics } = extractFixture("bad_cycle");
    expect(brief(diagnostics)).toEqual(["import_cycle b.py:3"]);
    const repaired = fixtureVariant("bad_cycle", {
      "b.py": "from fastapi import APIRouter\nb_router = APIRouter(prefix='/b')\n\n@b_router.get('/two')\ndef two():\n    return {}\n",
    });
    variants.push(repaired);
    expect(keysOf(endpoints)).toEqual(keysOf(fastapiRoutes([{ dir: repaired, entry: "main:app" }])[0] ?? []));
  });

  it("handles a huge generated module exactly as FastAPI does", () => {
    const count = 1500;
    const lines = ["from fastapi import APIRouter", "router = APIRouter(prefix='/huge')"];
    for (let i = 0; i < count; i++) lines.push(`@router.get("/r${i}/{item_id}")`, `def route_${i}(item_id: int, q: str = ""):`, `    return {"i": ${i}}`);
    const huge = `${lines.join("\n")}\n${"# padding comment to make the file large\n".repeat(20_000)}`;
    expect(huge.length).toBeGreaterThan(900_000);
    const dir = fixtureVariant("bad_code", { "routers/huge.py": huge, "main.py": "from fastapi import FastAPI\nfrom routers import huge\napp = FastAPI()\napp.include_router(huge.router)\n" });
    variants.push(dir);
    const { endpoints } = extractEndpoints({ "main.py": "from fastapi import FastAPI\nfrom routers import huge\napp = FastAPI()\napp.include_router(huge.router)\n", "routers/huge.py": huge });
    expect(endpoints.length).toBe(count);
    expect(keysOf(endpoints)).toEqual(keysOf(fastapiRoutes([{ dir, entry: "main:app" }])[0] ?? []));
  }, 60_000);

  it("skips a file over the size limit with a diagnostic", () => {
    const big = `x = 1\n${"#".repeat(5 * 1024 * 1024)}\n`;
    const { endpoints, diagnostics } = extractEndpoints({ "main.py": "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/ok')\ndef ok(): pass\n", "big.py": big });
    expect(keysOf(endpoints)).toEqual(["GET /ok"]);
    expect(brief(diagnostics)).toEqual(["file_too_large big.py:1"]);
  });

  it("survives pathological code: deep nesting, exponential calls, runaway recursion, endless loops", () => {
    const files = {
      "main.py": [
        "from fastapi import FastAPI",
        "import nasty, deep",
        "app = FastAPI()",
        "def rec(n):\n    return rec(n + 1)",
        "rec(0)",
        "while True:\n    app.include_router(nasty.router)",
        "@app.get('/ok')\ndef ok(): pass",
      ].join("\n"),
      "deep.py": `X = ${"(".repeat(5000)}1${")".repeat(5000)}\nY = ${"[".repeat(3000)}${"]".repeat(3000)}\n`,
      "nasty.py": [
        "from fastapi import APIRouter",
        "router = APIRouter()",
        ...Array.from({ length: 30 }, (_, i) => `def f${i + 1}():\n    f${i}()\n    f${i}()`),
        "def f0():\n    pass",
        "f30()",
        "@router.get('/after-bomb')\ndef after(): pass",
      ].join("\n"),
    };
    const { endpoints, diagnostics } = extractEndpoints(files, { budgets: { statementSteps: 50_000 } });
    expect(keysOf(endpoints)).toEqual(["GET /ok"]);
    expect(brief(diagnostics)).toEqual(expect.arrayContaining(["syntax_error deep.py:1", "budget_exceeded nasty.py:95", "budget_exceeded main.py:5", "conditional_include main.py:8"]));
    expect(diagnostics.find((d) => d.code === "budget_exceeded" && d.file === "nasty.py")?.message).toContain("statement steps budget (50000) exceeded");
    const total = extractEndpoints(files, { budgets: { steps: 50_000 } });
    expect(total.endpoints).toEqual([]);
    expect(brief(total.diagnostics)).toEqual(expect.arrayContaining(["no_app main.py:1"]));
    expect(total.diagnostics.find((d) => d.code === "budget_exceeded")).toMatchObject({ file: "nasty.py", message: expect.stringContaining("steps budget (50000)") });
  });

  it("accepts bytes and strings, and reports a missing entry or app", () => {
    const bytes = new Map<string, Uint8Array | string>([["main.py", new TextEncoder().encode("\uFEFFfrom fastapi import FastAPI\napp = FastAPI()\n@app.get('/b')\ndef b(): pass\n")]]);
    expect(keysOf(extractEndpoints(bytes).endpoints)).toEqual(["GET /b"]);
    expect(brief(extractEndpoints({ "lib.py": "x = 1\n" }).diagnostics)).toEqual(["no_entry :0"]);
    expect(brief(extractEndpoints({ "main.py": "x = 1\n" }, { entry: "other.py" }).diagnostics)).toEqual(["no_entry other.py:0"]);
    expect(brief(extractEndpoints({ "main.py": "x = 1\n" }).diagnostics)).toEqual(["no_app main.py:1"]);
    expect(brief(extractEndpoints({ "main.py": "x = 1\n" }, { entry: "pkg.mod:app" }).diagnostics)).toEqual(["no_entry pkg.mod:app:0"]);
  });
});

describe("patterns only reported, never resolved", () => {
  const run = (main: string, extra: Record<string, string> = {}) => extractEndpoints({ "main.py": main, ...extra });

  it("a router from a package outside the project", () => {
    const { diagnostics } = run("from fastapi import FastAPI\nfrom fastapi_users import FastAPIUsers\nusers = FastAPIUsers()\napp = FastAPI()\napp.include_router(users.get_auth_router(), prefix='/auth')\n");
    expect(brief(diagnostics)).toEqual(["unresolved_router main.py:5"]);
    expect(diagnostics.find((d) => d.code === "unresolved_router")?.message).toContain("fastapi_users.FastAPIUsers");
  });

  it("include_router(**kwargs) from a run-time dict, and a route under a run-time condition", () => {
    const { endpoints, diagnostics } = run(
      "import flags\nfrom fastapi import FastAPI, APIRouter\nr = APIRouter()\napp = FastAPI()\napp.include_router(**flags.kwargs())\nif flags.enabled('X'):\n    @app.get('/maybe')\n    def maybe(): pass\nelse:\n    PATH = '/b'\n@app.get(PATH)\ndef b(): pass\n",
    );
    expect(endpoints).toEqual([]);
    expect(brief(diagnostics)).toEqual(["unresolved_router main.py:5", "conditional_route main.py:7", "unresolved_path main.py:11", "router_not_included main.py:3"].sort(byFileLine));
  });

  it("a prefix that FastAPI would reject, and an app from an unresolved import", () => {
    const { diagnostics } = run("from fastapi import FastAPI, APIRouter\nfrom .x import y\nr = APIRouter(prefix='/bad/')\napp = FastAPI()\napp.include_router(r, prefix='nope')\napp.mount('/m', y)\n");
    expect(brief(diagnostics)).toEqual(["unresolved_import main.py:2", "invalid_prefix main.py:3", "invalid_prefix main.py:5", "unresolved_mount main.py:6", "router_not_included main.py:3"].sort(byFileLine));
  });
});

const byFileLine = (a: string, b: string): number => {
  const [, fileA = "", lineA = "0"] = /^\S+ (.*):(\d+)$/.exec(a) ?? [];
  const [, fileB = "", lineB = "0"] = /^\S+ (.*):(\d+)$/.exec(b) ?? [];
  return fileA.localeCompare(fileB) || Number(lineA) - Number(lineB) || a.localeCompare(b);
};
