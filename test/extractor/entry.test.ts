// Which app the extractor (and the launcher, through the same search) serves, and that it says why.
import { describe, expect, it } from "vitest";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { findServedApp } from "../../libs/extractor/served-app.ts";
import { detectEntry } from "../../libs/runtime/entry.ts";
import { extractFixture, keysOf } from "./helpers.ts";

const files = (map: Record<string, string>) => Object.entries(map).map(([path, text]) => ({ path, text }));
const INSIDE_FUNCTION = "from fastapi import FastAPI\ndef make():\n    a = FastAPI()\n    @a.get('/wrong')\n    def wrong(): pass\n    return a\n";

describe("entry choice", () => {
  it("follows uvicorn.run(\"module:attr\") over a FastAPI( inside an unrelated function, and says so", () => {
    const result = extractFixture("entry_uvicorn");
    expect(keysOf(result.endpoints)).toEqual(["GET /api/orders", "GET /health", "POST /api/orders"]);
    expect(result.diagnostics).toEqual([{
      file: "app/app.py", line: 1, severity: "info", code: "entry_chosen",
      message: 'serving `app` of app/app.py: named by `uvicorn.run("app.app:app", host="0.0.0.0", port=8000, reload=True)` in run.py:4',
    }]);
  });

  it("reads uvicorn command lines in a Procfile, Dockerfile or script, factories among them", () => {
    const project = { "a.py": INSIDE_FUNCTION, "srv/web.py": "from a import make\nweb = make()\n" };
    expect(findServedApp(files({ ...project, Procfile: "web: uvicorn --host 0.0.0.0 srv.web:web --port $PORT\n" }))).toMatchObject({ file: "srv/web.py", attribute: "web", attributeNamed: true });
    expect(findServedApp(files({ ...project, Dockerfile: 'CMD ["uvicorn", "srv.web:web"]\n' }))?.reason).toContain("in Dockerfile:1");
    expect(findServedApp(files({ ...project, "run.sh": "uvicorn srv.web:create --factory\n" }))).toMatchObject({ attribute: "create", attributeNamed: true, factory: true });
    expect(findServedApp(files({ ...project, "run.sh": "uvicorn missing.mod:app\n" }))?.reason).not.toContain("run.sh");
  });

  it("reads a uvicorn.run( call written one argument a line", () => {
    const project = { "a.py": INSIDE_FUNCTION, "srv/web.py": "from a import make\nweb = make()\n" };
    const run = 'import uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run(\n        "srv.web:web",\n        host="0.0.0.0",\n    )\n';
    expect(findServedApp(files({ ...project, "run.py": run }))).toMatchObject({ file: "srv/web.py", attribute: "web", attributeNamed: true });
    expect(detectEntry(files({ ...project, "run.py": run }))).toEqual({ file: "srv/web.py", module: "srv.web", attribute: "web" });
  });

  it("calls a factory named by uvicorn.run(..., factory=True), as uvicorn does, and so does the launcher", () => {
    const app = "from fastapi import FastAPI\n\ndef create_app():\n    api = FastAPI()\n\n    @api.get('/built')\n    def built():\n        return {}\n\n    return api\n";
    const main = 'import uvicorn\n\ndef main():\n    uvicorn.run(\n        "svc.app:create_app",\n        factory=True,\n        port=8000,\n    )\n';
    const project = { "main.py": main, "svc/__init__.py": "", "svc/app.py": app };
    const result = extractEndpoints(project);
    expect(keysOf(result.endpoints)).toEqual(["GET /built"]);
    expect(result.diagnostics.find((d) => d.code === "entry_chosen")?.message).toBe(
      "serving `create_app` of svc/app.py: named as a factory (called to build the app, as uvicorn --factory does) by `uvicorn.run(` in main.py:4",
    );
    // The launcher names it the same way, for the preview's boot to call.
    expect(detectEntry(files(project))).toEqual({ file: "svc/app.py", module: "svc.app", attribute: "create_app()" });
  });

  it("prefers a module-level app, then a module-level factory call, over FastAPI( inside a function", () => {
    const result = extractEndpoints({
      "a_tools.py": INSIDE_FUNCTION,
      "service/api.py": "from a_tools import make\nfrom fastapi import FastAPI\napplication = FastAPI()\n@application.get('/right')\ndef right(): pass\n",
    });
    expect(keysOf(result.endpoints)).toEqual(["GET /right"]);
    expect(result.diagnostics.find((d) => d.code === "entry_chosen")?.message).toBe("serving `application` of service/api.py: it binds a FastAPI app at module level (`application = FastAPI(...)`)");
    const factory = extractEndpoints({ "a_tools.py": INSIDE_FUNCTION, "srv/app.py": "from a_tools import make\napp = make()\n" });
    expect(factory.diagnostics.find((d) => d.code === "entry_chosen")?.message).toBe("serving `app` of srv/app.py: it binds `app` at module level to the result of a call");
    const only = extractEndpoints({ "a_tools.py": INSIDE_FUNCTION });
    expect(only.diagnostics.find((d) => d.code === "entry_chosen")?.message).toContain("inside a function: no module-level app was found");
  });

  it("is the launcher's choice too", () => {
    expect(detectEntry(files({ "tools.py": INSIDE_FUNCTION, "app/app.py": "from tools import make\napp = make()\n", "run.py": "import uvicorn\nuvicorn.run('app.app:app')\n" })))
      .toEqual({ file: "app/app.py", module: "app.app", attribute: "app" });
  });

  it("serves the app a project's own wrapper class holds, and says so", () => {
    const result = extractFixture("wrapper_class");
    expect(result.diagnostics.find((d) => d.code === "wrapped_app")?.message).toBe("`app` is a FastAPI wrapping a FastAPI app; listing the routes of `app.app`");
  });
});

describe("entry problems", () => {
  it("an entry file with a syntax error is still the entry, and the no_app says why", () => {
    const result = extractEndpoints({ "tools.py": INSIDE_FUNCTION, "main.py": "from fastapi import FastAPI\napp = FastAPI(\n" });
    expect(result.diagnostics.find((d) => d.code === "no_app")).toMatchObject({
      file: "main.py",
      message: expect.stringContaining("(main.py cannot be imported: it has a syntax error at line"),
    });
  });

  it("a router whose route list is handed on (callbacks=router.routes) is not an orphan", () => {
    const main = "from fastapi import APIRouter, FastAPI\ncallbacks = APIRouter()\n@callbacks.post('/cb')\ndef cb(): pass\napp = FastAPI()\n@app.post('/invoices', callbacks=callbacks.routes)\ndef invoices(): pass\n";
    const result = extractEndpoints({ "main.py": main });
    expect(keysOf(result.endpoints)).toEqual(["POST /invoices"]);
    expect(result.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  });
});
