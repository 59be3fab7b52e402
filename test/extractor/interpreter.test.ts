// The small Python interpreter behind the extractor, one language feature at a time: each
// case is a one-file project whose single route path is computed the way Python would.
import { describe, expect, it } from "vitest";
import { extractEndpoints } from "../../libs/extractor/extract.ts";

const HEADER = "from fastapi import FastAPI, APIRouter\napp = FastAPI()\n";

/** Warnings and errors as `code line` (not the info on which entry was chosen). */
const problems = (diagnostics: ReadonlyArray<{ severity: string; code: string; line: number }>) =>
  diagnostics.filter((d) => d.severity !== "info").map((d) => `${d.code} ${d.line}`);

/** The paths the app serves after running `body` (which defines P) and `@app.get(P)`. */
const pathsFor = (body: string, extra: Record<string, string> = {}) => {
  const result = extractEndpoints({ "main.py": `${HEADER}${body}\n@app.get(P)\ndef handler(): pass\n`, ...extra });
  return { paths: result.endpoints.map((endpoint) => endpoint.path), diagnostics: result.diagnostics.map((d) => d.code) };
};

describe("expressions", () => {
  it.each([
    ["string escapes", String.raw`P = "/a\tb\x41\u00e9\101\\\'\q"`, "/a\tbAéA\\'\\q"],
    ["raw and byte-prefixed strings", String.raw`P = r"/raw\n" + "/x"`, "/raw\\n/x"],
    ["triple-quoted and implicit concatenation", `P = """/t""" '/u'`, "/t/u"],
    ["f-string with literal braces and numbers", `N = 2\nP = f"/v{N}/{{id}}/{True}/{None}"`, "/v2/{id}/True/None"],
    ["percent formatting with a tuple", `P = "/%s/%d%%" % ("a", 5)`, "/a/5%"],
    ["str.format by position, index and name", `P = "/{}/{1}/{k}".format("a", "b", k="c")`, "/a/b/c"],
    ["string methods", `P = " /Up/ ".strip().lower() + "x".upper() + "/a-b".replace("-", "_") + "//".lstrip("/")`, "/up/X/a_b"],
    ["str() of a number", `P = "/n" + str(42)`, "/n42"],
    ["conditional expression and comparisons", `V = 3\nP = "/yes" if V == 3 and V != 4 and "a" in ["a"] and V is not None else "/no"`, "/yes"],
    ["or / not / unary minus", `P = (None or "/or") if not -1 == 1 else "/x"`, "/or"],
    ["subscripts of lists, tuples and dicts", `L = ["/a", "/b"]\nD = {"k": L[-1], **{"z": 1}}\nP = D["k"] + ("/c",)[0]`, "/b/c"],
    ["tuple unpacking and chained assignment", `A, (B, C) = "/a", ("/b", "/c")\nX = Y = "/d"\nP = A + B + C + X + Y`, "/a/b/c/d/d"],
    ["augmented assignment of strings and lists", `P = "/a"\nP += "/b"\nL = ["/c"]\nL += ["/d"]\nP += L[1]`, "/a/b/d"],
    ["getattr with a constant name and a class constant", `class K:\n    X = "/k"\nP = getattr(K, "X")`, "/k"],
    ["list() / tuple() of a known list and starred items", `P = list(["/s", *["/t"]])[1]`, "/t"],
    ["number literals", `P = "/" + str(0x10 + 1_000 + -2)`, "/1014"],
    ["for loop over a dict's keys with break and else", `for k in {"/first": 1, "/second": 2}:\n    P = k\n    break\nelse:\n    P = "/else"`, "/first"],
    ["for-else without break", `for k in []:\n    pass\nelse:\n    P = "/else"`, "/else"],
    ["while False takes its else branch", `while False:\n    P = "/never"\nelse:\n    P = "/while-else"`, "/while-else"],
    ["try / else / finally on the happy path", `try:\n    P = "/try"\nexcept Exception:\n    P = "/except"\nelse:\n    P += "/else"\nfinally:\n    P += "/finally"`, "/try/else/finally"],
    ["with blocks run their body", `with open("x") as f:\n    P = "/with"`, "/with"],
    ["elif chains", `V = 2\nif V == 1:\n    P = "/one"\nelif V == 2:\n    P = "/two"\nelse:\n    P = "/other"`, "/two"],
    ["typing.TYPE_CHECKING is false", `from typing import TYPE_CHECKING\nP = "/runtime"\nif TYPE_CHECKING:\n    P = "/typing"`, "/runtime"],
    ["functions with defaults, keywords, *args and **kwargs", `def f(a, b="/b", *rest, c, **kw):\n    return a + b + rest[0] + c + kw["d"]\nP = f("/a", "/B", "/r", c="/c", d="/d")`, "/a/B/r/c/d"],
    ["keyword-only parameters after a bare star", `def f(*, a="/kw"):\n    return a\nP = f()`, "/kw"],
    ["closures and nested functions", `def outer(x):\n    def inner():\n        return x + "/in"\n    return inner()\nP = outer("/out")`, "/out/in"],
    ["star import honours __all__", `from consts import *\nP = PUBLIC`, "/public"],
    ["module attribute after `import pkg.mod`", `import pkg.mod\nP = pkg.mod.VALUE`, "/pkg"],
    ["relative import inside a package", `from pkg import rel\nP = rel.VALUE`, "/pkg/rel"],
    ["list and dict comprehensions with conditions and nested loops", `D = {k: v for k, v in {"a": "/a", "b": None}.items() if v is not None}\nP = [x + y for x in D.values() for y in ["/1", "/2"] if y != "/1"][0]`, "/a/2"],
    ["an unset environment variable reads as its default", `import os\nfrom os import environ\nP = os.getenv("P", "/env") + environ.get("Q", "/q") + ("/in" if "P" in dict(os.environ) else "/out")`, "/env/q/out"],
  ])("%s", (_, body, expected) => {
    const { paths } = pathsFor(body, {
      "consts.py": 'PUBLIC = "/public"\n_PRIVATE = "/x"\n__all__ = ["PUBLIC"]\n',
      "pkg/__init__.py": "",
      "pkg/mod.py": 'VALUE = "/pkg"\n',
      "pkg/rel.py": 'from .mod import VALUE as BASE\nfrom . import mod\nVALUE = BASE + "/rel"\n',
    });
    expect(paths).toEqual([expected]);
  });

  it.each([
    ["a value from the environment", `import os\nP = os.environ["P"]`],
    ["a comprehension over a run-time value", `import flags\nP = [p for p in flags.paths()][0]`],
    ["a required environment variable that is unset", `from starlette.config import Config\nP = Config(".env")("P")`],
    ["an f-string with a format spec", `N = 1\nP = f"/{N:03d}"`],
    ["an f-string with a !r conversion", `N = "x"\nP = f"/{N!r}"`],
    ["an undefined name", `P = UNDEFINED + "/x"`],
    ["a lambda result", `f = lambda: "/x"\nP = f()`],
    ["an index out of range", `P = ["/a"][3]`],
    ["an await", `P = await thing()`],
    ["a value assigned in a while loop", `while foo():\n    P = "/x"`],
    ["a string method on a run-time value", `import os\nP = "/".join([os.getenv("A"), "b"])`],
    ["a generator argument", `P = "".join(p for p in ["/a"])`],
    ["a recursive function", `def f(n):\n    return f(n)\nP = f(1)`],
    ["a function that raises", `def f():\n    raise ValueError()\nP = f()`],
    ["a missing argument", `def f(a):\n    return a\nP = f()`],
    ["an unknown method of an object", `class C:\n    pass\nP = C().missing()`],
    ["a complex number", `P = "/" + str(1j)`],
    ["unpacking a value of the wrong length", `A, B = ("/a",)\nP = A`],
  ])("reports, never guesses, %s", (_, body) => {
    const { paths, diagnostics } = pathsFor(body);
    expect(paths).toEqual([]);
    expect(diagnostics).toContain("unresolved_path");
  });
});

describe("objects and classes", () => {
  it("reads instance attributes set in __init__, class attributes and settings fields", () => {
    const { paths } = pathsFor(
      `class Base:\n    ROOT = "/root"\nclass Conf(Base):\n    def __init__(self, sub):\n        self.sub = sub\n    def full(self):\n        return self.ROOT + self.sub\nclass Settings:\n    X: str = "/default"\nP = Conf("/sub").full() + Settings(X="/given").X + Settings().X`,
    );
    expect(paths).toEqual(["/root/sub/given/default"]);
  });

  it("follows super() to a project base class", () => {
    const { paths } = pathsFor(`class A:\n    def path(self):\n        return "/a"\nclass B(A):\n    def path(self):\n        return super().path() + "/b"\nP = B().path()`);
    expect(paths).toEqual(["/a/b"]);
  });
});

describe("route registration details", () => {
  it("registers routes through a router held in a list and through app.router", () => {
    const result = extractEndpoints({
      "main.py": `${HEADER}routers = [APIRouter(prefix="/x")]\nr = routers[0]\n@r.get("/y")\ndef y(): pass\napp.include_router(routers[0])\n@app.router.api_route("/z", methods=["GET", "get", "DELETE"])\ndef z(): pass\n`,
    });
    expect(result.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`)).toEqual(["GET /x/y", "DELETE /z", "GET /z"]);
  });

  it("follows PEP 614 decorators (any expression after @) to the route they register", () => {
    const result = extractEndpoints({
      "main.py": `${HEADER}routers = [APIRouter(prefix="/r")]\n@(lambda f: f)\n@routers[0].get("/x")\ndef x(): pass\napp.include_router(routers[0])\n`,
    });
    expect(result.diagnostics.filter((d) => d.code === "syntax_error")).toEqual([]);
    expect(result.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`)).toEqual(["GET /r/x"]);
  });

  it("uses the response model and explicit None, deprecated routers and enum-less tags", () => {
    const result = extractEndpoints({
      "main.py": `${HEADER}from typing import List\nr = APIRouter(deprecated=True, tags=["r"])\n@r.get("/a", response_model=List[int], tags=["a"])\ndef a() -> str: pass\n@r.get("/b", response_model=None)\ndef b() -> int: pass\n@r.get("/c")\ndef c() -> JSONResponse: pass\napp.include_router(r, tags=["inc"], deprecated=False)\n`,
    });
    expect(result.endpoints.map((endpoint) => [endpoint.path, endpoint.responseModel, endpoint.tags, endpoint.deprecated])).toEqual([
      ["/a", "List[int]", ["inc", "r", "a"], true],
      ["/b", undefined, ["inc", "r"], true],
      ["/c", undefined, ["inc", "r"], true],
    ]);
  });

  it("reports an unsupported method, a mount cycle and a mount dropped by include_router", () => {
    const result = extractEndpoints({
      "main.py": `${HEADER}sub = FastAPI()\nsub.mount("/loop", app)\napp.mount("/sub", sub)\n@app.api_route("/dav", methods=["PROPFIND"])\ndef dav(): pass\nr = APIRouter()\nr.mount("/m", sub)\napp.include_router(r)\n`,
    });
    expect(result.endpoints).toEqual([]);
    expect(problems(result.diagnostics)).toEqual(["mount_cycle 4", "unsupported_method 6", "mount_not_included 10"]);
  });

  it("reports routes and mounts added under run-time conditions, and unknown router arguments", () => {
    const result = extractEndpoints({
      "main.py": `${HEADER}import flags\nsub = FastAPI()\nif flags.get("A"):\n    app.mount("/sub", sub)\n    app.add_api_route("/added", print)\nr = APIRouter(prefix=flags.get("P"), tags=[flags.get("T")], **flags.options())\n@r.get("/x")\ndef x(): pass\napp.mount(flags.get("M"), sub)\napp.mount("/ext", flags.app)\n`,
    });
    expect(problems(result.diagnostics)).toEqual([
      "conditional_mount 6",
      "conditional_route 7",
      "unresolved_arguments 8",
      "unresolved_prefix 8",
      "unresolved_tag 8",
      "unresolved_path 9",
      "unresolved_mount 11",
      "unresolved_mount 12",
      "router_not_included 8",
    ].sort((a, b) => Number(a.split(" ")[1]) - Number(b.split(" ")[1]) || a.localeCompare(b)));
  });

  it("lists an endpoint whose handler is not a project function under the call site", () => {
    const result = extractEndpoints({ "main.py": `${HEADER}from somewhere import handler\napp.add_api_route("/ext", handler)\n` });
    expect(result.endpoints).toEqual([{ method: "GET", path: "/ext", name: "handler", tags: [], pathParams: [], queryParams: [], source: { file: "main.py", line: 4 } }]);
  });
});
