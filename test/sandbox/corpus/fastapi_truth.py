"""The route table FastAPI itself holds for an app, imported directly (no platform, no boot program).

    python3 fastapi_truth.py module:attr   → JSON list of "METHOD path" keys (module:factory() calls it)

Written independently of libs/runtime/boot/preview_boot.py, with the same two conventions the
endpoint list documents: FastAPI's own docs routes (openapi_url, docs_url, redoc_url and the
OAuth2 redirect) are not the project's, and the HEAD that Starlette adds to a plain GET route is
not listed. A mount with routes of its own is walked under its path; one without (static files)
is one GET of everything under it.
"""
import importlib
import json
import sys

from fastapi.routing import APIRoute
from starlette.routing import Mount, WebSocketRoute

sys.path.insert(0, ".")
module_name, _, attribute = sys.argv[1].partition(":")
# `module:factory()` names a factory that builds the app (as `uvicorn --factory`).
factory = attribute.endswith("()")
app = getattr(importlib.import_module(module_name), attribute.removesuffix("()") or "app")
app = app() if factory else app


def docs_routes(a):
    names = ["openapi_url", "docs_url", "redoc_url"] + (["swagger_ui_oauth2_redirect_url"] if getattr(a, "docs_url", None) else [])
    return {getattr(a, n, None) for n in names} - {None}


keys = []


def walk(owner, routes, prefix):
    own = docs_routes(owner)
    for route in routes:
        if isinstance(route, Mount):
            inner = getattr(route.app, "routes", None)
            if inner:
                walk(route.app, inner, prefix + route.path)
            else:
                keys.append(f"GET {prefix}{route.path}/{{path:path}}")
        elif isinstance(route, WebSocketRoute):
            keys.append(f"WEBSOCKET {prefix}{route.path}")
        elif route.path not in own:
            methods = set(route.methods)
            if not isinstance(route, APIRoute) and "GET" in methods:
                methods.discard("HEAD")
            keys.extend(f"{m} {prefix}{route.path}" for m in methods)


walk(app, app.routes, "")
print(json.dumps(sorted(keys)))
