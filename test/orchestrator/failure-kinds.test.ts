// Every failure.kind, each produced by a real project run by a real uvicorn (host runtime), as
// /status, the 422 of a waiting launch and the preview's log report it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreviewFailure } from "../../libs/previews/failure.ts";
import { type ErrorEnvelope, callApi } from "../support/api.ts";
import { launch, previewPath, upload, waitForStatus } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";

const app = (...body: string[]) => ["from fastapi import FastAPI", "app = FastAPI()", ...body, ""].join("\n");

const projects: Record<string, Record<string, string>> = {
  syntax_error: {
    "main.py": "from fastapi import FastAPI\nfrom app.routes import router\napp = FastAPI()\napp.include_router(router)\n",
    "app/__init__.py": "",
    "app/routes.py": "from fastapi import APIRouter\nrouter = APIRouter()\n\n@router.get('/x')\ndef x(:\n    return 1\n",
  },
  import_error: {
    "main.py": "from fastapi import FastAPI\nfrom app.models import User, Item\napp = FastAPI()\n",
    "app/__init__.py": "",
    "app/models.py": "class User:\n    pass\n",
  },
  missing_module: {
    "requirements.txt": "fastapi\nstripe[async]==7.0.0\n",
    "main.py": "from fastapi import FastAPI\nfrom app.core.billing import charge\napp = FastAPI()\n",
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/billing.py": "from decimal import Decimal\nimport stripe\n\ndef charge(amount):\n    return stripe.Charge.create(amount=amount)\n",
  },
  missing_setting: {
    "main.py": "from fastapi import FastAPI\nfrom config import settings\napp = FastAPI(title=settings.PROJECT_NAME)\n",
    "config.py": [
      "try:",
      "    from pydantic_settings import BaseSettings",
      "except ImportError:",
      "    from pydantic import BaseSettings",
      "",
      "class Settings(BaseSettings):",
      "    PROJECT_NAME: str = 'generated'",
      "    SECRET_KEY: str",
      "    STRIPE_API_KEY: str",
      "",
      "settings = Settings()",
      "",
    ].join("\n"),
  },
  bad_entry: { "main.py": "from fastapi import FastAPI\napplication = FastAPI()\nhandler = 'not an app'\n" },
  // Whatever holds the port uvicorn is told to bind (here: the app itself, at import; bound, not
  // listening, so nothing answers there and readiness cannot be mistaken).
  port: {
    "main.py": app(
      "import socket, sys",
      "held = socket.socket()",
      "held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)",
      "held.bind(('127.0.0.1', int(sys.argv[sys.argv.index('--port') + 1])))",
    ),
  },
  timeout: { "main.py": app("import time", "@app.on_event('startup')", "def connect_to_postgres():", "    time.sleep(600)") },
  oom: { "main.py": app("cache = bytearray(4 * 1024 * 1024 * 1024)") },
  exited: { "main.py": app("import os", "os._exit(7)") },
};

let o: TestOrchestrator;
let token: string;
beforeAll(async () => {
  // A startup that never ends is stopped after the startup timeout plus the stop grace (SIGTERM
  // does not end a handler blocked in time.sleep; SIGKILL does).
  o = await startTestOrchestrator({ STARTUP_TIMEOUT_SECONDS: "10", STOP_GRACE_MS: "2000", MEMORY_MB: "400" });
  token = await o.token("failures");
});
afterAll(() => o?.dispose());

// Generous: on a loaded machine the timeout case alone takes the startup timeout, the stop grace
// and the boot of a Python that may be starved of CPU.
const failureOf = async (kind: string, body: Record<string, unknown> = {}) => {
  const generationId = await upload(o, token, projects[kind] ?? {});
  expect((await launch(o, token, generationId, body)).status).toBe(202);
  const status = await waitForStatus(o, token, generationId, "failed", 90_000);
  const [row] = o.query<{ id: string }>("select id from previews where generation_id = ?", generationId);
  return { failure: status.failure as PreviewFailure, status, lines: o.logs(row?.id ?? "").map((l) => `${l.level} ${l.message}`), generationId };
};

describe("failure.kind, each from a real project", () => {
  it("syntax_error: the file and line relative to the project, and the source line", async () => {
    const { failure, lines } = await failureOf("syntax_error");
    expect(failure).toMatchObject({ kind: "syntax_error", file: "app/routes.py", line: 5, sourceLine: "def x(:", message: expect.stringMatching(/^SyntaxError: /) });
    expect(failure.hint).toBeDefined();
    expect(lines).toContainEqual("ERROR failure: syntax_error at app/routes.py:5: " + failure.message);
  });

  it("import_error: the user's frame that imported the missing name, library frames marked", async () => {
    const { failure } = await failureOf("import_error");
    expect(failure).toMatchObject({ kind: "import_error", file: "main.py", line: 2, sourceLine: "from app.models import User, Item" });
    expect(failure.message).toContain("cannot import name 'Item'");
    const frames = failure.frames ?? [];
    expect(frames.filter((f) => f.user).map((f) => f.file)).toEqual(["main.py"]);
    expect(frames.some((f) => !f.user && f.file.includes("importlib"))).toBe(true);
  });

  it("missing_module: the importing file and the requirement behind the module", async () => {
    const { failure } = await failureOf("missing_module");
    expect(failure).toMatchObject({
      kind: "missing_module", module: "stripe", file: "app/core/billing.py", line: 2, sourceLine: "import stripe",
      requirement: "stripe[async]==7.0.0",
    });
  });

  it("missing_setting: the settings that are not set, and where to give them", async () => {
    const { failure } = await failureOf("missing_setting");
    expect(failure).toMatchObject({ kind: "missing_setting", settings: ["SECRET_KEY", "STRIPE_API_KEY"], file: "config.py", line: 11 });
    expect(failure.message).toBe("required settings are not set: SECRET_KEY, STRIPE_API_KEY");
    expect(failure.hint).toMatch(/env/);
  });

  it("bad_entry: an entry that names no ASGI app, in the 422 of a waiting launch", async () => {
    const generationId = await upload(o, token, projects.bad_entry ?? {});
    const res = await callApi<ErrorEnvelope & { error: { details: { failure: PreviewFailure } } }>(o.url, "POST", `${previewPath(generationId)}/launch`, {
      token, json: { wait: true, entry: "main.py:handler" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.failure).toMatchObject({ kind: "bad_entry", message: "main:handler is a str, not an ASGI app" });
    // Named as a factory (`name()`), it must be something to call.
    const asFactory = await callApi<ErrorEnvelope & { error: { details: { failure: PreviewFailure } } }>(o.url, "POST", `${previewPath(generationId)}/launch`, {
      token, json: { wait: true, entry: "main.py:handler()" },
    });
    expect(asFactory.body.error.details.failure).toMatchObject({ kind: "bad_entry", message: "main.handler is a str, not a factory to call (the entry names main:handler())" });
  });

  it("port: uvicorn could not bind its port", async () => {
    const { failure } = await failureOf("port");
    expect(failure).toMatchObject({ kind: "port", message: expect.stringMatching(/address already in use/) });
  });

  it("timeout: imported, but its startup never finished", { timeout: 120_000 }, async () => {
    const { failure } = await failureOf("timeout");
    expect(failure).toMatchObject({ kind: "timeout", message: "The app was imported but its startup did not finish within 10 s" });
  });

  it("oom: over the memory limit", async () => {
    const { failure } = await failureOf("oom");
    expect(failure).toMatchObject({ kind: "oom", file: "main.py", line: 3 });
  });

  it("exited: the process ended without a word", async () => {
    const { failure, status } = await failureOf("exited");
    expect(status.exitCode).toBe(7);
    expect(failure).toMatchObject({ kind: "exited", message: "The preview exited with code 7" });
  });
});
