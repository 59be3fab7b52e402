"""The one program every preview runs, on the host and in the sandbox.

    python preview_boot.py --project DIR --app module:attr --report FILE
                           (--uds PATH | --host H --port P) [--root-path /p/id]

Steps: apply the project's .env (as python-dotenv does: never over a variable already set),
import the app, write its real route table to FILE, serve it with uvicorn. When a step fails,
FILE gets a structured `failure` instead (kind, message, file and line relative to the
project, the source line, the traceback's frames) and the program exits non-zero; the
traceback is still printed on stderr as Python would.

FILE is JSON, written atomically (a temporary file, then rename), at most once per phase:
  {"version": 1, "phase": "imported", "app": ..., "openapiUrl": ..., "routes": [...]}
  {"version": 1, "phase": "failed", "failure": {...}, "routes": [...]?}

`--warm` (a warm pool slot, below) starts early, imports the common modules, waits on stdin for
a launch's arguments and environment, then runs these same steps.
"""
import importlib
import json
import os
import sys
import traceback

REPORT_VERSION = 1
MAX_FRAMES = 40
MAX_ROUTES = 5000
MAX_TEXT = 2000


def parse_args(argv):
    """--name value pairs into a dict; only the names below are accepted."""
    known = {"--project", "--app", "--report", "--uds", "--host", "--port", "--root-path"}
    out = {}
    it = iter(argv)
    for name in it:
        if name not in known:
            raise SystemExit(f"preview_boot: unknown option {name}")
        out[name[2:].replace("-", "_")] = next(it)
    for required in ("project", "app", "report"):
        if required not in out:
            raise SystemExit(f"preview_boot: --{required} is required")
    return out


def clip(text, limit=MAX_TEXT):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the environment ------------------------------------------------------------------


def read_dotenv(path):
    """KEY=value lines as python-dotenv reads them (export prefix, quotes, comments); no interpolation."""
    try:
        from dotenv import dotenv_values  # the same reader the app would use, when installed

        return {k: v for k, v in dotenv_values(path).items() if v is not None}
    except ImportError:
        pass
    values = {}
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _, value = line.partition("=")
            key = key.strip()
            if key.startswith("export "):
                key = key[len("export "):].strip()
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            elif " #" in value:
                value = value.split(" #", 1)[0].rstrip()
            if key:
                values[key] = value
    return values


def prepare(project):
    """The project as cwd and first on sys.path (never this program's own dir), its .env applied."""
    os.chdir(project)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, project)
    # Stand-ins for packages the image cannot carry (fallbacks/jose: python-jose over PyJWT); last,
    # so anything really installed wins.
    sys.path.append(os.path.join(here, "fallbacks"))
    dotenv = os.path.join(project, ".env")
    if os.path.isfile(dotenv):
        for key, value in read_dotenv(dotenv).items():
            os.environ.setdefault(key, value)


# --- importing the app ----------------------------------------------------------------


class BadEntry(Exception):
    """The entry does not name an ASGI app of the project."""


def load(spec):
    import importlib

    module_name, _, attribute = spec.partition(":")
    attribute = attribute or "app"
    # `module:factory()`: the factory builds the app, as `uvicorn --factory` calls it.
    factory = attribute.endswith("()")
    attribute = attribute[:-2] if factory else attribute
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name is not None and (e.name == module_name or module_name.startswith(e.name + ".")):
            raise BadEntry(f"The entry module {module_name} does not exist in the project") from None
        raise
    app = module
    for part in attribute.split("."):
        if not hasattr(app, part):
            raise BadEntry(f"{module_name} has no attribute {attribute!r} (the entry names {spec})")
        app = getattr(app, part)
    if factory:
        if not callable(app):
            raise BadEntry(f"{module_name}.{attribute} is a {type(app).__name__}, not a factory to call (the entry names {spec})")
        app = app()
    if not callable(app):
        raise BadEntry(f"{spec} is a {type(app).__name__}, not an ASGI app")
    return app


# --- the route table ------------------------------------------------------------------


def framework_paths(app):
    """The docs routes FastAPI adds by itself; they are not the project's endpoints."""
    paths = set()
    for name in ("openapi_url", "docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url"):
        value = getattr(app, name, None)
        if isinstance(value, str):
            paths.add(value)
    docs = getattr(app, "docs_url", None)
    redirect = getattr(app, "swagger_ui_oauth2_redirect_url", None)
    if not isinstance(docs, str) and isinstance(redirect, str):
        paths.discard(redirect)
    return paths


def location(endpoint, project):
    code = getattr(getattr(endpoint, "__wrapped__", endpoint), "__code__", None)
    if code is None:
        return {}
    file = os.path.abspath(code.co_filename)
    if not file.startswith(project + os.sep):
        return {}
    return {"file": os.path.relpath(file, project), "line": code.co_firstlineno}


def route_table(app, project):
    """app.routes as FastAPI holds them: mounts recursed (paths prefixed), websockets, hidden routes."""
    from starlette.routing import Mount, WebSocketRoute

    try:
        from starlette.routing import Host
    except ImportError:  # pragma: no cover - every supported starlette has it
        Host = ()
    try:
        from fastapi.routing import APIRoute
    except ImportError:  # a plain Starlette app
        APIRoute = None
    out = []

    def walk(owner, routes, prefix):
        skip = framework_paths(owner)
        for route in routes:
            if len(out) >= MAX_ROUTES:
                return
            path = getattr(route, "path", "")
            if isinstance(route, Host):
                walk(route.app, getattr(route, "routes", []), prefix)
            elif isinstance(route, Mount):
                inner = getattr(route, "routes", None) or []
                if inner:
                    walk(route.app, inner, prefix + path)
                else:
                    out.append({"kind": "mount", "path": prefix + path, "name": route.name or "", "methods": []})
            elif isinstance(route, WebSocketRoute):
                out.append({"kind": "websocket", "path": prefix + path, "name": route.name or "", "methods": [],
                            **location(route.endpoint, project)})
            elif hasattr(route, "methods"):
                if path in skip:
                    continue
                entry = {"kind": "http", "path": prefix + path, "name": getattr(route, "name", "") or "",
                         "methods": sorted(route.methods or []),
                         "hidden": not getattr(route, "include_in_schema", True),
                         "api": APIRoute is not None and isinstance(route, APIRoute)}
                entry.update(location(getattr(route, "endpoint", None), project))
                out.append(entry)

    walk(app, getattr(app, "routes", []) or [], "")
    return out


def write_report(path, report):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(report, f)
    os.replace(tmp, path)


def report(path, spec, app, project):
    openapi = getattr(app, "openapi_url", None)
    write_report(path, {
        "version": REPORT_VERSION, "phase": "imported", "app": spec,
        "openapiUrl": openapi if isinstance(openapi, str) else None,
        "routes": route_table(app, project),
    })


# --- diagnosis ------------------------------------------------------------------------


def relative(file, project):
    if not file:
        return None
    absolute = os.path.abspath(file)
    inside = absolute.startswith(project + os.sep) and os.path.isfile(absolute)
    return os.path.relpath(absolute, project) if inside else None


def frames_of(exc, project):
    frames = []
    for fs in traceback.extract_tb(exc.__traceback__):
        rel = relative(fs.filename, project)
        frames.append({"file": rel if rel is not None else fs.filename, "line": fs.lineno, "name": fs.name,
                       "sourceLine": clip(fs.line or "", 300), "user": rel is not None})
    return frames[-MAX_FRAMES:]


def setting_names(exc):
    """The missing fields of a pydantic ValidationError (v1 or v2), as env variable names."""
    try:
        errors = exc.errors()
    except Exception:
        return [], []
    missing, invalid = [], []
    for err in errors:
        loc = ".".join(str(x) for x in err.get("loc", ()))
        kind = str(err.get("type", ""))
        (missing if kind in ("missing", "value_error.missing") else invalid).append(loc)
    return missing, invalid


def is_settings_error(exc, frames):
    if type(exc).__name__ != "ValidationError":
        return False
    title = getattr(exc, "title", None) or getattr(getattr(exc, "model", None), "__name__", "")
    try:
        from pydantic_settings import BaseSettings
    except ImportError:
        try:
            from pydantic import BaseSettings
        except ImportError:
            BaseSettings = None
    if BaseSettings is not None:
        for module in list(sys.modules.values()):
            candidate = getattr(module, title, None) if title else None
            if isinstance(candidate, type) and issubclass(candidate, BaseSettings):
                return True
    # At import time a validation error nearly always comes from a settings object.
    return any(f["user"] for f in frames) and bool(title) and "settings" in title.lower()


def diagnose(exc, project, phase):
    """A failure for an exception: the kind, the user's frame (deepest in the project), a hint."""
    frames = frames_of(exc, project)
    user = [f for f in frames if f["user"]]
    where = user[-1] if user else None
    failure = {"kind": "import_error" if phase == "import" else "exited",
               "message": clip(f"{type(exc).__name__}: {exc}"), "exception": type(exc).__name__}
    if isinstance(exc, SyntaxError):
        failure["kind"] = "syntax_error"
        failure["message"] = clip(f"{type(exc).__name__}: {exc.msg}")
        rel = relative(exc.filename, project)
        where = {"file": rel if rel is not None else exc.filename, "line": exc.lineno, "sourceLine": (exc.text or "").strip()}
        failure["hint"] = "Fix the syntax at that line; the app was never imported"
    elif isinstance(exc, BadEntry):
        failure["kind"] = "bad_entry"
        failure["message"] = clip(str(exc))
        failure["hint"] = "Pass \"entry\" on launch as file.py:app or package.module:app"
        where = None
    elif isinstance(exc, ModuleNotFoundError):
        name = exc.name or ""
        top = name.split(".")[0]
        ours = os.path.exists(os.path.join(project, top)) or os.path.exists(os.path.join(project, top + ".py"))
        if ours:
            failure["kind"] = "import_error"
            failure["hint"] = f"{name} is not a module of the project: check the import path (run from the project root)"
        else:
            failure["kind"] = "missing_module"
            failure["module"] = top
            failure["hint"] = f"Add the package that provides `{top}` to requirements.txt"
    elif isinstance(exc, ImportError):
        failure["kind"] = "import_error"
        failure["hint"] = "A name imported there does not exist in that module"
    elif is_settings_error(exc, frames):
        missing, invalid = setting_names(exc)
        failure["kind"] = "missing_setting"
        failure["settings"] = [n.upper() for n in missing + invalid]
        names = ", ".join(n.upper() for n in missing)
        bad = ", ".join(n.upper() for n in invalid)
        failure["message"] = clip("; ".join(x for x in (
            f"required settings are not set: {names}" if names else "",
            f"settings with invalid values: {bad}" if bad else "") if x) or str(exc))
        failure["hint"] = "Give them in the launch's env, or in a .env file in the project"
    elif isinstance(exc, KeyError) and where is not None and "environ" in (where.get("sourceLine") or ""):
        failure["kind"] = "missing_setting"
        failure["settings"] = [str(exc.args[0]) if exc.args else ""]
        failure["message"] = clip(f"the environment variable {failure['settings'][0]} is not set")
        failure["hint"] = "Give it in the launch's env, or in a .env file in the project"
    elif isinstance(exc, OSError) and exc.errno in (98, 13) and phase == "serve":
        failure["kind"] = "port"
    if where is not None:
        failure["file"] = where["file"]
        failure["line"] = where["line"]
        if where.get("sourceLine"):
            failure["sourceLine"] = clip(where["sourceLine"], 300)
    failure["frames"] = frames
    return failure


def fail(path, failure, routes=None):
    body = {"version": REPORT_VERSION, "phase": "failed", "failure": failure}
    if routes is not None:
        body["routes"] = routes
    try:
        write_report(path, body)
    except OSError:
        pass


# --- serving --------------------------------------------------------------------------


def watch_startup(app, errors):
    """Keeps the exception a lifespan startup raises: uvicorn only logs it as text."""
    import contextlib

    router = getattr(app, "router", None)
    original = getattr(router, "lifespan_context", None)
    if original is None:
        return

    @contextlib.asynccontextmanager
    async def watched(a):
        context = original(a)
        try:
            state = await context.__aenter__()
        except BaseException as e:
            errors.append(e)
            raise
        try:
            yield state
        except BaseException:
            if not await context.__aexit__(*sys.exc_info()):
                raise
        else:
            await context.__aexit__(None, None, None)

    router.lifespan_context = watched


class LastError:
    """A logging handler keeping the last error uvicorn logs (e.g. a socket it could not bind)."""

    def __init__(self):
        import logging

        keeper = self
        self.message = None

        class Handler(logging.Handler):
            def emit(self, record):
                if record.levelno >= logging.ERROR:
                    keeper.message = record.getMessage()

        self.handler = Handler()


def answering(path):
    """Whether something listens at the socket path: after a live reload it is the new version's, not ours to remove."""
    import socket

    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        return True
    except OSError:
        return False
    finally:
        probe.close()


def serve(app, options, report_path, project):
    import logging

    import uvicorn

    listen = {"uds": options["uds"]} if "uds" in options else {"host": options.get("host", "127.0.0.1"), "port": int(options["port"])}
    if "uds" in listen:
        # The socket's own dir: the platform takes it over once the app answers (socket-seal.ts).
        os.makedirs(os.path.dirname(listen["uds"]), exist_ok=True)
    config = uvicorn.Config(app, root_path=options.get("root_path", ""), **listen)
    last = LastError()
    # After Config: it (re)configures uvicorn's loggers, which drops handlers added before.
    logging.getLogger("uvicorn.error").addHandler(last.handler)
    startup_errors = []
    watch_startup(app, startup_errors)
    server = uvicorn.Server(config)
    exit_code = 3
    try:
        server.run()
    except SystemExit as e:  # uvicorn exits by itself when it cannot bind
        exit_code = e.code if isinstance(e.code, int) else 1
    finally:
        if "uds" in listen and os.path.exists(listen["uds"]) and not answering(listen["uds"]):
            try:
                os.remove(listen["uds"])
            except OSError:
                pass  # sealed by the platform: the socket is no longer ours to remove
    if not server.started:
        if startup_errors:
            failure = diagnose(startup_errors[-1], project, "startup")
            failure["message"] = clip(f"the app's startup failed: {failure['message']}")
        else:
            message = last.message or "uvicorn did not start"
            failure = {"kind": "port" if "address already in use" in message.lower() else "exited", "message": clip(message)}
        fail(report_path, failure)
        sys.exit(exit_code)


def main(argv):
    options = parse_args(argv)
    project = os.path.abspath(options["project"])
    report_path = options["report"]
    try:
        prepare(project)
        app = load(options["app"])
    except BaseException as e:  # noqa: BLE001 - every way an import can end is a diagnosis
        if isinstance(e, KeyboardInterrupt):
            raise
        failure = diagnose(e, project, "import") if not isinstance(e, SystemExit) else {
            "kind": "exited", "message": f"the app called sys.exit({e.code!r}) while being imported"}
        fail(report_path, failure)
        if isinstance(e, BadEntry):
            print(f"preview_boot: {e}", file=sys.stderr)
        else:
            traceback.print_exc()
        sys.exit(1)
    report(report_path, options["app"], app, project)
    serve(app, options, report_path, project)


# --- warm mode: a pool slot ---------------------------------------------------------
#
#     python preview_boot.py --warm
#
# A sandbox started ahead of demand, exactly as a cold launch's (same interpreter, same program):
# it imports the common modules, prints one ready line on stdout, then blocks on stdin for one
# launch, a JSON line {"argv": [this program, --project ...], "env": {...}, "venv": dir | null}.
# It makes the environment exactly the cold launch's, puts the venv's site-packages before the
# image's, and runs main() with the cold launch's arguments. An empty stdin (the pool shutting
# down) exits 0. A slot serves one preview and ends with it.

WARM_READY = "@@preview-warm-slot-ready@@"

# What generated FastAPI backends import, and what uvicorn needs to serve; missing ones are skipped.
# Left out on purpose, though the image has them: each idle slot would hold them (about 25 MB of its
# ~100) for the few apps that import them at import time: alembic (migrations run from its CLI),
# httpx (a client; a preview has no network), and the PostgreSQL and Redis clients (a preview has
# no network, and its DATABASE_URL is SQLite). Such an app imports them itself, warm or cold.
COMMON = [
    "asyncio", "json", "logging.config", "email.utils", "http.cookies", "concurrent.futures", "sqlite3",
    "typing_extensions", "anyio", "anyio._backends._asyncio", "sniffio", "idna", "h11",
    "pydantic", "pydantic.fields", "pydantic.main", "pydantic_core", "pydantic_settings", "email_validator",
    "starlette", "starlette.applications", "starlette.routing", "starlette.responses", "starlette.requests",
    "starlette.middleware.cors", "starlette.staticfiles", "starlette.exceptions",
    "fastapi", "fastapi.applications", "fastapi.routing", "fastapi.responses", "fastapi.security",
    "fastapi.middleware.cors", "fastapi.staticfiles", "fastapi.encoders", "fastapi.openapi.utils",
    "uvicorn", "uvicorn.main", "uvicorn.config", "uvicorn.server", "uvicorn.importer", "uvicorn.logging",
    "uvicorn.lifespan.on", "uvicorn.loops.auto", "uvicorn.loops.asyncio", "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.h11_impl", "uvicorn.protocols.http.httptools_impl", "uvicorn.protocols.websockets.auto",
    "uvicorn.protocols.websockets.websockets_impl", "uvicorn.protocols.websockets.wsproto_impl",
    "uvicorn.middleware.proxy_headers", "multipart", "python_multipart",
    "sqlalchemy", "sqlalchemy.orm", "sqlalchemy.ext.asyncio", "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.sqlite.aiosqlite",
    "aiosqlite", "passlib", "passlib.context", "jwt", "jose", "dotenv", "sqlmodel",
]




def preload():
    import gc

    for name in COMMON:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module the image lacks (or that fails) is simply not preloaded
            pass
    # What the imports left is there for good: out of the collector's sight, so the collections the
    # app's own import and startup trigger do not walk the whole preloaded heap again.
    gc.collect()
    gc.freeze()
    return sorted({name.split(".")[0] for name in sys.modules if not name.startswith("_")})


def use_venv(venv):
    """The venv's site-packages before the image's, where the venv's own interpreter puts them."""
    import site

    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    before = list(sys.path)
    site.addsitedir(os.path.join(venv, "lib", version, "site-packages"))
    added = [p for p in sys.path if p not in before]
    first_system = next((i for i, p in enumerate(before) if p.endswith(("dist-packages", "site-packages"))), len(before))
    sys.path[:] = before[:first_system] + added + before[first_system:]
    sys.prefix = sys.exec_prefix = venv


def warm():
    modules = preload()
    print(f"{WARM_READY} {json.dumps({'modules': modules})}", flush=True)
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)
    launch = json.loads(line)
    # stdin is /dev/null again, as in a cold launch.
    sys.stdin.close()
    os.close(0)
    os.open(os.devnull, os.O_RDONLY)
    sys.stdin = open(0, closefd=False)
    pwd = os.environ.get("PWD")
    os.environ.clear()
    os.environ.update(launch["env"])
    if pwd is not None:
        os.environ["PWD"] = pwd
    if launch.get("venv"):
        use_venv(launch["venv"])
    argv = launch["argv"]
    sys.argv = list(argv)
    main(argv[1:])


def whole_lines():
    """Each line reaches the output pipe in one write.

    PYTHONUNBUFFERED (set for the app's own subprocesses too) makes print() write its text and
    its newline apart; an orchestrator killed between the two reads loses that line without
    knowing it. Line buffering writes them together, still at once.
    """
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True, write_through=False)


if __name__ == "__main__":
    whole_lines()
    if sys.argv[1:] == ["--warm"]:
        warm()
    else:
        main(sys.argv[1:])
