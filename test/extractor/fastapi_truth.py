"""Ground truth for the extractor tests: import each project's app with FastAPI itself and
dump the routes it serves (mounted sub-apps recursed), excluding FastAPI's own docs routes.

stdin: JSON list of {"dir": ..., "entry": "module:attr"}; stdout: JSON list of results.
A job may name `standIns`: third-party packages the Python at hand lacks that build no routes
(error reporting, mail, metrics); each is imported as an inert stand-in (standin.py) so the
project's own route table can still be read. `env` is set while the project is imported.
"""
import importlib
import inspect
import json
import os
import sys
import traceback
from enum import Enum

from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import Mount, Route, WebSocketRoute

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from standin import StandInFinder  # noqa: E402


def docs_paths(app):
    paths = set()
    for attr in ("openapi_url", "docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url"):
        value = getattr(app, attr, None)
        if value:
            paths.add(value)
    return paths


LIBRARY_ROOTS = []  # installed-package directories, named by their base name (as the extractor labels them)


def source_of(endpoint, root):
    try:
        path = inspect.getsourcefile(endpoint)
        file = os.path.relpath(path, root)
        for library in LIBRARY_ROOTS:
            if path.startswith(library + os.sep):
                file = os.path.join(os.path.basename(library), os.path.relpath(path, library))
        return file, endpoint.__code__.co_firstlineno
    except Exception:
        return None, None


def tag_text(tag):
    return tag.value if isinstance(tag, Enum) else str(tag)


def dump(routes, prefix, owner, root, out):
    own_docs = docs_paths(owner)
    for route in routes:
        if isinstance(route, Mount):
            sub = route.app
            dump(getattr(route, "routes", []) or [], prefix + route.path, sub, root, out)
        elif isinstance(route, APIRoute):
            file, line = source_of(route.endpoint, root)
            dep = route.dependant
            body_model = getattr(route.body_field.type_, "__name__", str(route.body_field.type_)) if route.body_field is not None else None
            for method in sorted(route.methods):
                out.append({
                    "method": method, "path": prefix + route.path, "name": route.endpoint.__name__,
                    "file": file, "line": line, "tags": [tag_text(t) for t in route.tags],
                    "deprecated": bool(route.deprecated), "statusCode": route.status_code,
                    "summary": route.summary, "description": route.description or None,
                    "query": [p.name for p in dep.query_params], "path_params": [p.name for p in dep.path_params],
                    "body": [p.name for p in dep.body_params], "bodyModel": body_model,
                })
        elif isinstance(route, (APIWebSocketRoute, WebSocketRoute)):
            file, line = source_of(route.endpoint, root)
            out.append({"method": "WEBSOCKET", "path": prefix + route.path, "name": route.endpoint.__name__, "file": file, "line": line})
        elif isinstance(route, Route):
            if type(route) is Route and route.path in own_docs:
                continue
            for method in sorted(route.methods or []):
                out.append({"method": method, "path": prefix + route.path, "name": route.endpoint.__name__})


def served_app(app):
    """The Starlette app uvicorn ends up calling: the object itself, or the one a wrapper holds."""
    from starlette.applications import Starlette
    if isinstance(app, Starlette):
        return app
    for value in vars(app).values():
        if isinstance(value, Starlette):
            return value
    return app


def truth_for(project_dir, entry, source_root=None, libraries=(), stand_ins=(), env=None):
    module_name, _, attr = entry.partition(":")
    before = set(sys.modules)
    env_before = dict(os.environ)
    os.environ.update(env or {})
    finder = StandInFinder(stand_ins) if stand_ins else None
    if finder:
        sys.meta_path.append(finder)
    LIBRARY_ROOTS[:] = libraries
    for library in libraries:
        sys.path.insert(0, library)
    sys.path.insert(0, project_dir)
    cwd = os.getcwd()
    os.chdir(project_dir)
    try:
        module = importlib.import_module(module_name)
        app = getattr(module, attr or "app")
        if inspect.isfunction(app):
            app = app()  # a factory, as `uvicorn --factory` would call it
        app = served_app(app)
        routes = []
        dump(app.routes, "", app, source_root or project_dir, routes)
        return {"routes": routes}
    except Exception:
        return {"error": traceback.format_exc()}
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env_before)
        if finder:
            sys.meta_path.remove(finder)
        sys.path.remove(project_dir)
        for library in libraries:
            sys.path.remove(library)
        for name in set(sys.modules) - before:
            del sys.modules[name]


def isolated(run):
    """run() in a forked child (FastAPI already imported, so it is quick): nothing one project
    leaves behind (a SQLAlchemy metadata, a PyO3 extension that refuses a second import) reaches the next."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            result = run()
        except BaseException:
            result = {"error": traceback.format_exc()}
        with os.fdopen(write_end, "w") as pipe:
            json.dump(result, pipe)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        text = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(text) if text else {"error": "the import ended the interpreter"}


def main():
    jobs = json.load(sys.stdin)
    # Whatever the projects print (logging set up at import) goes to stderr; stdout is the answer's alone.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    json.dump([
        isolated(lambda job=job: truth_for(
            os.path.abspath(job["dir"]), job["entry"], job.get("sourceRoot") and os.path.abspath(job["sourceRoot"]),
            [os.path.abspath(path) for path in job.get("libraries", [])],
            job.get("standIns", []), job.get("env"),
        ))
        for job in jobs
    ], out)
    out.flush()


if __name__ == "__main__":
    main()
