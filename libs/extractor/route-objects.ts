// Routes built as objects instead of through decorators: `APIRoute(...)`, Starlette's
// `Route`/`WebSocketRoute`/`Mount`, handed to `FastAPI(routes=[...])`, `APIRouter(routes=[...])`
// or appended to `app.routes`. Like Starlette, such routes keep their path as given: a router's
// own prefix is applied only by add_api_route and the decorators.
import type { Args } from "./calls.ts";
import { argument } from "./calls.ts";
import { reasonOf } from "./evaluate.ts";
import { requestedMethods, routeOptions, starletteMethods } from "./fastapi-model.ts";
import type { Interpreter } from "./interpreter.ts";
import { report } from "./interpreter.ts";
import type { PyObject, RouteRecord, RouterState, Site, Value } from "./values.ts";
import { at, NONE, unknown } from "./values.ts";

type RouteClass = "api" | "api-websocket" | "starlette" | "starlette-websocket" | "mount";

const ROUTE_CLASSES: ReadonlyMap<string, RouteClass> = new Map([
  ["fastapi.routing.APIRoute", "api"],
  ["fastapi.routing.APIWebSocketRoute", "api-websocket"],
  ["starlette.routing.Route", "starlette"],
  ["fastapi.routing.Route", "starlette"],
  ["starlette.routing.WebSocketRoute", "starlette-websocket"],
  ["fastapi.routing.WebSocketRoute", "starlette-websocket"],
  ["starlette.routing.Mount", "mount"],
  ["fastapi.routing.Mount", "mount"],
]);

export const isRouteClass = (name: string): boolean => ROUTE_CLASSES.has(name);

/** `APIRoute(path, endpoint, ...)` and friends: a route object, or unknown with the reason. */
export const buildRouteObject = (interp: Interpreter, className: string, args: Args, site: Site): Value => {
  const routeClass = ROUTE_CLASSES.get(className);
  const pathValue = argument(args, "path", 0)?.value;
  const describe = `${className.split(".").pop()}(...) at ${at(site)}`;
  if (!routeClass || pathValue?.kind !== "str") {
    const why = pathValue ? reasonOf(pathValue) : (args.opaque ?? "no path given");
    report(interp, site, "warning", "unresolved_path", `the path of ${describe} is not known statically (${why}); not listed`);
    return unknown(`${describe}: path not known`);
  }
  const path = pathValue.value;
  let route: RouteRecord | null = null;
  if (routeClass === "mount") {
    const app = argument(args, "app", 1)?.value;
    if (app?.kind === "object" && app.obj.router) route = { kind: "mount", path, app: app.obj, site };
    else {
      report(interp, site, "warning", "unresolved_mount", `the app of ${describe} is not a FastAPI app or router of this project (${app ? reasonOf(app) : "routes= of a Mount are not followed"}); its routes are not listed`);
      return unknown(`${describe}: mounted app not known`);
    }
  } else {
    const handler = argument(args, "endpoint", 1)?.value ?? unknown(`no endpoint given at ${at(site)}`);
    if (routeClass === "api") {
      route = { kind: "operation", methods: requestedMethods(interp, args, site), path, handler, options: routeOptions(interp, args, site), site, framework: "fastapi" };
    } else if (routeClass === "starlette") {
      route = { kind: "operation", methods: starletteMethods(interp, args, site), path, handler, options: { tags: [], deprecated: false }, site, framework: "starlette" };
    } else {
      route = { kind: "websocket", path, handler, site, framework: routeClass === "api-websocket" ? "fastapi" : "starlette" };
    }
  }
  const object: PyObject = { cls: null, attrs: new Map(), router: null, isApp: false, site, route };
  return { kind: "object", obj: object };
};

/** Adds route objects to a router as Starlette would (`routes=[...]`, `.append`, `.extend`). */
export const addRouteObjects = (interp: Interpreter, router: RouterState, items: Value, site: Site, where: string): void => {
  const list = items.kind === "seq" ? items.items : null;
  if (!list) {
    if (items.kind !== "none") report(interp, site, "warning", "unresolved_route", `the routes given to ${where} at ${at(site)} are not known statically (${reasonOf(items)}); not listed`);
    return;
  }
  for (const item of list) {
    const route = item.kind === "object" ? item.obj.route : undefined;
    if (!route) {
      if (item.kind === "unknown" && item.reason.includes("path not known") || item.kind === "unknown" && item.reason.includes("mounted app not known")) continue; // reported where built
      report(interp, site, "warning", "unresolved_route", `a route given to ${where} at ${at(site)} is not known statically (${reasonOf(item)}); not listed`);
      continue;
    }
    if (interp.speculative) {
      report(interp, site, "warning", "conditional_route", `a route (${route.path}) is added at ${at(site)} only under a condition known at run time (${interp.speculative}); not listed`);
      continue;
    }
    if (route.kind === "mount") router.includes.push(route.app);
    router.routes.push(route);
  }
};

/** `app.routes` / `router.routes`: a list whose append/extend/insert add route objects. */
export const routeListOf = (router: RouterState, site: Site): Value => ({
  kind: "object",
  obj: { cls: null, attrs: new Map(), router: null, isApp: false, site, routeList: router },
});

export const callRouteListMethod = (interp: Interpreter, router: RouterState, name: string, args: Args, site: Site): Value => {
  const first = args.positional[0]?.value;
  const second = args.positional[1]?.value;
  if (name === "append" && first) addRouteObjects(interp, router, { kind: "seq", items: [first] }, site, "routes.append()");
  else if (name === "extend" && first) addRouteObjects(interp, router, first, site, "routes.extend()");
  else if (name === "insert" && second) addRouteObjects(interp, router, { kind: "seq", items: [second] }, site, "routes.insert()");
  else return unknown(`routes.${name}() at ${at(site)}`);
  return NONE;
};
