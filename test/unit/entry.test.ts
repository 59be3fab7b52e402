import { describe, expect, it } from "vitest";
import { InvalidRequest } from "../../libs/http/request-errors.ts";
import { detectEntry, parseEntry } from "../../libs/runtime/entry.ts";

const files = (map: Record<string, string>) => Object.entries(map).map(([path, text]) => ({ path, text }));

describe("entry detection", () => {
  it("prefers main.py, then app/main.py", () => {
    expect(detectEntry(files({ "app/main.py": "app = FastAPI()", "main.py": "api = FastAPI()" }))).toEqual({ file: "main.py", module: "main", attribute: "api" });
    expect(detectEntry(files({ "app/main.py": "from fastapi import FastAPI\napplication: FastAPI = FastAPI(title='x')" }))).toEqual({ file: "app/main.py", module: "app.main", attribute: "application" });
  });

  it("else finds the first module that constructs FastAPI(", () => {
    expect(detectEntry(files({ "src/server.py": "import fastapi\nserver = fastapi.FastAPI()", "src/util.py": "x = 1" })))
      .toEqual({ file: "src/server.py", module: "src.server", attribute: "server" });
    expect(detectEntry(files({ "README.md": "FastAPI(", "lib.py": "x = 1" }))).toBeUndefined();
  });

  it("reads an entry given as a file or a module, with or without the attribute", () => {
    const project: Record<string, string> = { "pkg/__init__.py": "app = FastAPI()", "pkg/api.py": "srv = FastAPI()" };
    const read = (p: string) => project[p];
    expect(parseEntry("pkg/api.py", read)).toEqual({ file: "pkg/api.py", module: "pkg.api", attribute: "srv" });
    expect(parseEntry("pkg.api:other", read)).toEqual({ file: "pkg/api.py", module: "pkg.api", attribute: "other" });
    expect(parseEntry("pkg", read)).toEqual({ file: "pkg/__init__.py", module: "pkg", attribute: "app" });
    expect(parseEntry("../etc.py", read)).toBeInstanceOf(InvalidRequest);
    expect(parseEntry("pkg.api:x-y", read)).toBeInstanceOf(InvalidRequest);
    // A factory, called to build the app (uvicorn --factory; gunicorn's form).
    expect(parseEntry("pkg/api.py:make()", read)).toEqual({ file: "pkg/api.py", module: "pkg.api", attribute: "make()" });
    expect(parseEntry("pkg/api.py:make(1)", read)).toBeInstanceOf(InvalidRequest);
  });

  it("serves a factory a uvicorn command names (factory=True, --factory) by calling it", () => {
    const project = { "run.py": "import uvicorn\nuvicorn.run(\n    'app.main:create_app',\n    factory=True,\n)\n", "app/__init__.py": "", "app/main.py": "from fastapi import FastAPI\ndef create_app():\n    return FastAPI()\n" };
    expect(detectEntry(files(project))).toEqual({ file: "app/main.py", module: "app.main", attribute: "create_app()" });
    expect(detectEntry(files({ Procfile: "web: uvicorn --factory main:build --port $PORT", "main.py": "from fastapi import FastAPI\ndef build():\n    return FastAPI()\n" })))
      .toEqual({ file: "main.py", module: "main", attribute: "build()" });
  });
});
