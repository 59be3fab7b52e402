// FastAPI's routing semantics (0.9x), modelled on its source: APIRouter applies its own
// prefix and tags when a route is added, include_router copies the included router's
// routes *at call time* under `prefix`, and mount keeps a live reference to the sub-app.
import type { Args } from "./calls.ts";
import { argument } from "./calls.ts";
import { reasonOf, textOf } from "./evaluate.ts";
import type { Interpreter } from "./interpreter.ts";
import { report } from "./interpreter.ts";
import { addRouteObjects } from "./route-objects.ts";
import type { ClassValue, PyObject, RouteOptions, RouteRecord, RouterState, Site, Value } from "./values.ts";
import { at, NONE, str, unknown } from "./values.ts";

export type RouterKind = "app" | "router";

const APP_CLASSES = new Set(["fastapi.FastAPI", "fastapi.applications.FastAPI"]);
const ROUTER_CLASSES = new Set(["fastapi.APIRouter", "fastapi.routing.APIRouter"]);
const HTTP_VERBS = new Set(["get", "post", "put", "patch", "delete", "head", "options", "trace"]);
const ROUTE_DECORATORS = new Set([...HTTP_VERBS, "api_route", "websocket", "route", "websocket_route"]);
const ROUTE_ADDERS = new Set(["add_api_route", "add_api_websocket_route", "add_route", "add_websocket_route"]);
const PASSTHROUGH_DECORATORS = new Set(["on_event", "exception_handler", "middleware"]);
const STATIC_APPS = /(^|\.)StaticFiles$/;

export const isRouterMethod = (name: string): boolean =>
  ROUTE_DECORATORS.has(name) || ROUTE_ADDERS.has(name) || PASSTHROUGH_DECORATORS.has(name) ||
  name === "include_router" || name === "mount";

export const routerKindOfClass = (value: Value, seen = new Set<ClassValue>()): RouterKind | null => {
  if (value.kind === "external") return APP_CLASSES.has(value.name) ? "app" : ROUTER_CLASSES.has(value.name) ? "router" : null;
  if (value.kind !== "class" || seen.has(value.cls)) return null;
  seen.add(value.cls);
  for (const base of value.cls.bases) {
    const kind = routerKindOfClass(base, seen);
    if (kind) return kind;
  }
  return null;
};

const hasOwnInit = (cls: ClassValue | null): boolean => {
  for (let current = cls; current; ) {
    if (current.attrs.has("__init__")) return true;
    const base = current.bases.find((item) => item.kind === "class");
    current = base?.kind === "class" ? base.cls : null;
  }
  return false;
};

export const createRouterObject = (
  interp: Interpreter,
  kind: RouterKind,
  cls: ClassValue | null,
  args: Args,
  site: Site,
): Extract<Value, { kind: "object" }> => {
  const attrs = new Map<string, Value>();
  const object: PyObject = { cls, attrs, router: null, isApp: kind === "app", site };
  const router: RouterState = {
    prefix: "",
    prefixProblem: null,
    tags: [],
    deprecated: false,
    routes: [],
    owner: object,
    site,
    label: kind === "app" ? "app" : "router",
    includes: [],
    isApp: kind === "app",
    reported: false,
    routesUsed: false,
  };
  (object as { router: RouterState | null }).router = router;
  if (kind === "app") {
    attrs.set("router", { kind: "object", obj: { cls: null, attrs: new Map(), router, isApp: false, site } });
    setAppAttributes(attrs, args);
    interp.apps.push(object);
  }
  interp.routers.push(router);
  if (!hasOwnInit(cls)) applyRouterArguments(interp, object, args, site);
  return { kind: "object", obj: object };
};

/** FastAPI.__init__ keeps these arguments as attributes (`app.swagger_ui_oauth2_redirect_url`...). */
const APP_ATTRIBUTE_DEFAULTS: ReadonlyArray<readonly [string, Value]> = [
  ["title", str("FastAPI")],
  ["version", str("0.1.0")],
  ["openapi_url", str("/openapi.json")],
  ["docs_url", str("/docs")],
  ["redoc_url", str("/redoc")],
  ["swagger_ui_oauth2_redirect_url", str("/docs/oauth2-redirect")],
  ["root_path", str("")],
  ["description", str("")],
  ["summary", NONE],
];

const setAppAttributes = (attrs: Map<string, Value>, args: Args): void => {
  for (const [name, fallback] of APP_ATTRIBUTE_DEFAULTS) {
    const given = args.keywords.get(name)?.value;
    attrs.set(name, given ?? (args.opaque ? unknown(`FastAPI(...) argument ${name}: ${args.opaque}`) : fallback));
  }
};

const applyRouterArguments = (interp: Interpreter, object: PyObject, args: Args, site: Site): void => {
  const router = object.router;
  if (!router) return;
  const routes = argument(args, "routes", null)?.value;
  if (routes) addRouteObjects(interp, router, routes, site, object.isApp ? "FastAPI(routes=...)" : "APIRouter(routes=...)");
  if (object.isApp) return;
  const prefix = argument(args, "prefix", 0)?.value;
  if (prefix && prefix.kind !== "none") {
    if (prefix.kind !== "str") {
      router.prefixProblem = `the prefix of the router at ${at(site)} is not known statically (${reasonOf(prefix)})`;
      report(interp, site, "warning", "unresolved_prefix", router.prefixProblem);
    } else if (validPrefix(interp, prefix.value, site)) {
      router.prefix = prefix.value;
    }
  }
  router.tags = stringList(interp, argument(args, "tags", null)?.value, site);
  router.deprecated = argument(args, "deprecated", null)?.value.kind === "bool" && isTrue(argument(args, "deprecated", null)?.value);
  if (args.opaque) report(interp, site, "warning", "unresolved_arguments", `router arguments at ${at(site)} are not known statically (${args.opaque})`);
};

const isTrue = (value: Value | undefined): boolean => value?.kind === "bool" && value.value;

const validPrefix = (interp: Interpreter, prefix: string, site: Site): boolean => {
  if (prefix === "" || (prefix.startsWith("/") && !prefix.endsWith("/"))) return true;
  report(interp, site, "error", "invalid_prefix", `prefix "${prefix}" must start with "/" and not end with "/" (FastAPI refuses it)`);
  return false;
};

const stringList = (interp: Interpreter, value: Value | undefined, site: Site): string[] => {
  if (!value || value.kind === "none") return [];
  const items = value.kind === "seq" ? value.items : [value];
  const out: string[] = [];
  for (const item of items) {
    if (item.kind === "str") out.push(item.value);
    else report(interp, site, "warning", "unresolved_tag", `a tag at ${at(site)} is not known statically (${reasonOf(item)})`);
  }
  return out;
};

export const callRouterMethod = (interp: Interpreter, object: PyObject, name: string, args: Args, site: Site): Value => {
  const router = object.router;
  if (!router) return unknown(`${name}() at ${at(site)}`);
  if (name === "__init__") {
    applyRouterArguments(interp, object, args, site);
    return NONE;
  }
  if (ROUTE_DECORATORS.has(name)) return routeDecorator(interp, router, name, args, site);
  if (ROUTE_ADDERS.has(name)) {
    const endpoint = argument(args, "endpoint", 1)?.value ?? unknown(`no endpoint given at ${at(site)}`);
    registerRoute(interp, router, name.replace(/^add_/, ""), args, endpoint, site);
    return NONE;
  }
  if (PASSTHROUGH_DECORATORS.has(name)) return { kind: "decorator", apply: () => undefined };
  if (name === "include_router") includeRouter(interp, router, args, site);
  if (name === "mount") mount(interp, router, args, site);
  return NONE;
};

const routeDecorator = (interp: Interpreter, router: RouterState, name: string, args: Args, site: Site): Value => ({
  kind: "decorator",
  apply: (target) => registerRoute(interp, router, name, args, target, site),
});

/** One route registration: `kind` is a decorator or adder name without its `add_` prefix. */
const registerRoute = (interp: Interpreter, router: RouterState, kind: string, args: Args, handler: Value, site: Site): void => {
  const pathValue = argument(args, "path", 0)?.value;
  const describeRoute = `${kind === "api_websocket_route" || kind.includes("websocket") ? "websocket" : "route"} at ${at(site)}`;
  if (!pathValue || pathValue.kind !== "str") {
    const why = pathValue ? reasonOf(pathValue) : args.opaque ?? "no path given";
    report(interp, site, "warning", "unresolved_path", `the path of the ${describeRoute} is not known statically (${why}); not listed`);
    return;
  }
  const usesRouterPrefix = kind !== "route" && kind !== "websocket_route";
  if (usesRouterPrefix && router.prefixProblem) {
    report(interp, site, "warning", "unresolved_path", `${describeRoute}: ${router.prefixProblem}; not listed`);
    return;
  }
  if (interp.speculative) {
    report(interp, site, "warning", "conditional_route", `${describeRoute} (${pathValue.value}) is registered only under a condition known at run time (${interp.speculative}); not listed`);
    return;
  }
  if (kind === "websocket" || kind === "api_websocket_route") {
    router.routes.push({ kind: "websocket", path: router.prefix + pathValue.value, handler, site, framework: "fastapi" });
  } else if (kind === "websocket_route") {
    router.routes.push({ kind: "websocket", path: pathValue.value, handler, site, framework: "starlette" });
  } else if (kind === "route") {
    router.routes.push({ kind: "operation", methods: starletteMethods(interp, args, site), path: pathValue.value, handler, options: { tags: [], deprecated: false }, site, framework: "starlette" });
  } else {
    const methods = HTTP_VERBS.has(kind) ? [kind.toUpperCase()] : requestedMethods(interp, args, site);
    addApiRoute(router, pathValue.value, methods, handler, routeOptions(interp, args, site), site);
  }
};

const addApiRoute = (
  router: RouterState,
  path: string,
  methods: ReadonlyArray<string>,
  handler: Value,
  options: RouteOptions,
  site: Site,
): void => {
  router.routes.push({
    kind: "operation",
    methods,
    path: router.prefix + path,
    handler,
    options: { ...options, tags: [...router.tags, ...options.tags], deprecated: options.deprecated || router.deprecated },
    site,
    framework: "fastapi",
  });
};

export const requestedMethods = (interp: Interpreter, args: Args, site: Site): string[] => {
  const value = argument(args, "methods", null)?.value;
  if (!value || value.kind === "none") return ["GET"];
  const methods = stringList(interp, value, site).map((method) => method.toUpperCase());
  return [...new Set(methods)];
};

export const starletteMethods = (interp: Interpreter, args: Args, site: Site): string[] => {
  const methods = requestedMethods(interp, args, site);
  return methods.includes("GET") && !methods.includes("HEAD") ? [...methods, "HEAD"] : methods;
};

export const routeOptions = (interp: Interpreter, args: Args, site: Site): RouteOptions => {
  const text = (name: string) => {
    const value = argument(args, name, null)?.value;
    return value?.kind === "str" ? value.value : undefined;
  };
  const responseModel = argument(args, "response_model", null);
  const statusCode = statusCodeOf(argument(args, "status_code", null)?.value);
  const summary = text("summary");
  const description = text("description");
  return {
    tags: stringList(interp, argument(args, "tags", null)?.value, site),
    deprecated: isTrue(argument(args, "deprecated", null)?.value),
    ...(summary === undefined ? {} : { summary }),
    ...(description === undefined ? {} : { description }),
    ...(statusCode === undefined ? {} : { statusCode }),
    ...(responseModel
      ? { responseModel: responseModel.value.kind === "none" ? null : responseModel.node && responseModel.scope ? textOf(responseModel.scope, responseModel.node) : "unknown" }
      : {}),
  };
};

const statusCodeOf = (value: Value | undefined): number | undefined => {
  if (value?.kind === "num") return value.value;
  if (value?.kind === "external") {
    const match = /HTTP_(\d{3})(_|$)/.exec(value.name);
    if (match?.[1]) return Number(match[1]);
  }
  return undefined;
};

const includeRouter = (interp: Interpreter, target: RouterState, args: Args, site: Site): void => {
  const child = argument(args, "router", 0)?.value ?? unknown(args.opaque ?? "no router given");
  if (child.kind !== "object" || !child.obj.router) {
    report(interp, site, "warning", "unresolved_router", `cannot tell statically which router is included at ${at(site)} (${reasonOf(child)}); its routes are not listed`);
    return;
  }
  const included = child.obj.router;
  const prefixValue = argument(args, "prefix", null)?.value;
  if (prefixValue && prefixValue.kind !== "str" && prefixValue.kind !== "none") {
    included.reported = true;
    report(interp, site, "warning", "unresolved_prefix", `the prefix for ${included.label} at ${at(site)} is not known statically (${reasonOf(prefixValue)}); its routes are not listed`);
    return;
  }
  const prefix = prefixValue?.kind === "str" ? prefixValue.value : "";
  if (!validPrefix(interp, prefix, site)) return;
  if (interp.speculative) {
    included.reported = true;
    report(interp, site, "warning", "conditional_include", `${included.label} is included at ${at(site)} only under a condition known at run time (${interp.speculative}); its routes are not listed`);
    return;
  }
  target.includes.push(child.obj);
  const tags = stringList(interp, argument(args, "tags", null)?.value, site);
  const deprecated = isTrue(argument(args, "deprecated", null)?.value);
  for (const route of [...included.routes]) copyRoute(interp, target, route, prefix, tags, deprecated, site);
};

const copyRoute = (
  interp: Interpreter,
  target: RouterState,
  route: RouteRecord,
  prefix: string,
  tags: ReadonlyArray<string>,
  deprecated: boolean,
  site: Site,
): void => {
  if (route.kind === "mount") {
    report(interp, site, "warning", "mount_not_included", `the mount at ${route.path} (${at(route.site)}) is dropped by include_router, as FastAPI does`);
    return;
  }
  if (route.kind === "websocket") {
    const path = (route.framework === "fastapi" ? target.prefix : "") + prefix + route.path;
    target.routes.push({ ...route, path });
    return;
  }
  if (route.framework === "starlette") {
    target.routes.push({ ...route, path: prefix + route.path });
    return;
  }
  const options = { ...route.options, tags: [...tags, ...route.options.tags], deprecated: route.options.deprecated || deprecated || target.deprecated };
  addApiRoute(target, prefix + route.path, route.methods, route.handler, options, route.site);
};

const mount = (interp: Interpreter, target: RouterState, args: Args, site: Site): void => {
  const pathValue = argument(args, "path", 0)?.value;
  const app = argument(args, "app", 1)?.value ?? unknown(args.opaque ?? "no app given");
  if (app.kind === "unknown" && app.madeBy && STATIC_APPS.test(app.madeBy)) return; // files, not routes
  if (!pathValue || pathValue.kind !== "str") {
    report(interp, site, "warning", "unresolved_mount", `the path of the mount at ${at(site)} is not known statically (${pathValue ? reasonOf(pathValue) : "no path given"})`);
    return;
  }
  if (app.kind !== "object" || !app.obj.router) {
    report(interp, site, "warning", "unresolved_mount", `the app mounted at ${pathValue.value} (${at(site)}) is not a FastAPI app or router of this project (${reasonOf(app)}); its routes are not listed`);
    return;
  }
  if (interp.speculative) {
    report(interp, site, "warning", "conditional_mount", `the mount at ${pathValue.value} (${at(site)}) happens only under a condition known at run time (${interp.speculative}); not listed`);
    return;
  }
  target.includes.push(app.obj);
  target.routes.push({ kind: "mount", path: pathValue.value, app: app.obj, site });
};
