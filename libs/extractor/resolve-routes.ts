// From the chosen app's final route table to Endpoint records: methods expanded, mounted
// sub-apps recursed with their mount path, handlers analysed, duplicates reported.
import type { Endpoint } from "./endpoint.ts";
import { compareEndpoints, HttpMethods, openApiPath } from "./endpoint.ts";
import { analyseHandler, descriptionFromDocstring } from "./handler-signature.ts";
import type { Interpreter } from "./interpreter.ts";
import { isLibraryFile, report } from "./interpreter.ts";
import type { PyObject, RouteRecord, RouterState, Site } from "./values.ts";
import { at } from "./values.ts";

const KNOWN_METHODS = new Set<string>(HttpMethods);

export const collectEndpoints = (interp: Interpreter, app: PyObject): Endpoint[] => {
  const endpoints: Endpoint[] = [];
  const seen = new Map<string, Site>();
  const visit = (router: RouterState, prefix: string, active: Set<RouterState>): void => {
    for (const route of router.routes) {
      if (route.kind === "mount") {
        const target = route.app.router;
        if (!target || active.has(target)) {
          report(interp, route.site, "warning", "mount_cycle", `the mount at ${route.path} mounts an app into itself; skipped`);
          continue;
        }
        active.add(target);
        visit(target, prefix + route.path, active);
        active.delete(target);
        continue;
      }
      const methods = route.kind === "websocket" ? ["WEBSOCKET"] : route.methods;
      for (const method of methods) {
        if (method !== "WEBSOCKET" && !KNOWN_METHODS.has(method)) {
          report(interp, route.site, "warning", "unsupported_method", `method ${method} at ${at(route.site)} is not an HTTP method the extractor lists`);
          continue;
        }
        const path = prefix + route.path;
        const key = `${method} ${path}`;
        const earlier = seen.get(key);
        if (earlier) {
          report(interp, route.site, "warning", "duplicate_route", `${key} is already served by the route at ${at(earlier)}; this one is unreachable`);
          continue;
        }
        seen.set(key, route.site);
        endpoints.push(toEndpoint(interp, route, method as Endpoint["method"], path));
      }
    }
  };
  if (app.router) visit(app.router, "", new Set([app.router]));
  return endpoints.sort(compareEndpoints);
};

/** FastAPI's generate_unique_id, which also names embedded request bodies (`Body_<id>`). */
const uniqueId = (name: string, routePath: string, method: string): string =>
  `${(name + openApiPath(routePath)).replace(/[^\p{L}\p{N}_]/gu, "_")}_${method.toLowerCase()}`;

const toEndpoint = (
  interp: Interpreter,
  route: Exclude<RouteRecord, { kind: "mount" }>,
  method: Endpoint["method"],
  path: string,
): Endpoint => {
  const handler = route.handler;
  const fn = handler.kind === "function" ? handler.fn : null;
  const name = fn?.name ?? (handler.kind === "external" ? (handler.name.split(".").pop() ?? handler.name) : "unknown");
  const source = fn ? { file: fn.module.file ?? fn.module.name, line: fn.firstLine } : { file: route.site.file, line: route.site.line };
  const signature = fn ? analyseHandler(interp, fn, path, () => uniqueId(name, route.path, method), handler.kind === "function" && handler.self !== null) : null;
  const options = route.kind === "operation" ? route.options : null;
  const description = options?.description?.split("\f")[0]?.trim() || (route.kind === "operation" && route.framework === "fastapi" ? descriptionFromDocstring(signature?.docstring) : undefined);
  const responseModel =
    options?.responseModel === null ? undefined : (options?.responseModel ?? (route.kind === "operation" && route.framework === "fastapi" ? usableReturnModel(signature?.returnAnnotation) : undefined));
  return {
    method,
    path,
    name,
    ...(options?.summary === undefined ? {} : { summary: options.summary }),
    ...(description === undefined ? {} : { description }),
    tags: [...(options?.tags ?? [])],
    pathParams: signature?.pathParams ?? [],
    queryParams: method === "WEBSOCKET" ? [] : (signature?.queryParams ?? []),
    ...(signature?.requestBody && method !== "WEBSOCKET" ? { requestBody: signature.requestBody } : {}),
    ...(responseModel === undefined ? {} : { responseModel }),
    ...(options?.statusCode === undefined ? {} : { statusCode: options.statusCode }),
    ...(options?.deprecated ? { deprecated: true } : {}),
    source,
  };
};

/** FastAPI (≥0.89) takes the return annotation as the response model unless it is a Response. */
const usableReturnModel = (annotation: string | undefined): string | undefined =>
  annotation === undefined || annotation === "None" || /Response$/.test(annotation) ? undefined : annotation;

/** Routers (grouped by where they are created) whose routes never reach the served app. */
export const reportUnincludedRouters = (interp: Interpreter, app: PyObject | null): void => {
  const reachable = new Set<RouterState>();
  const queue: PyObject[] = app ? [app] : [];
  while (queue.length > 0) {
    const object = queue.pop();
    const router = object?.router;
    if (!router || reachable.has(router)) continue;
    reachable.add(router);
    queue.push(...router.includes);
  }
  const bySite = new Map<string, RouterState[]>();
  for (const router of interp.routers) {
    if (isLibraryFile(interp, router.site.file)) continue; // a library's routers are the project's only if it includes them
    const key = at(router.site);
    bySite.set(key, [...(bySite.get(key) ?? []), router]);
  }
  for (const group of bySite.values()) {
    if (group.some((router) => reachable.has(router) || router.reported || router.routesUsed)) continue;
    const [first] = group;
    if (!first) continue;
    if (first.isApp) {
      if (first.routes.length > 0) {
        interp.diagnostics.report(first.site, "warning", "app_not_served", `app \`${first.label}\` is not the served app and is never mounted; its routes are not listed`);
      }
    } else {
      interp.diagnostics.report(first.site, "warning", "router_not_included", `router \`${first.label}\` defined but never included in the app`);
    }
  }
};
