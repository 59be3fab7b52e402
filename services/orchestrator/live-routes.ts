import { type Endpoint, EndpointMethod, openApiPath, type Param } from "../../libs/extractor/endpoint.ts";
import type { LiveRoute } from "../../libs/runtime/boot/boot-report.ts";

const isMethod = (m: string): m is Endpoint["method"] => (EndpointMethod.literals as ReadonlyArray<string>).includes(m);

const pathParams = (path: string): Param[] => [...path.matchAll(/\{([^}:]+)(?::[^}]*)?\}/g)].map((m) => ({ name: m[1] ?? "" }));

/**
 * The app's real route table as endpoints: one per method, websockets as WEBSOCKET, a mount with
 * no routes of its own (static files) as a GET of everything under it. Plain Starlette routes
 * answer HEAD by themselves; that HEAD is not listed.
 */
export const endpointsOfRoutes = (routes: ReadonlyArray<LiveRoute>): Endpoint[] =>
  routes.flatMap((r): Endpoint[] => {
    const source = r.file !== undefined && r.line !== undefined ? { source: { file: r.file, line: r.line } } : {};
    const base = { name: r.name, tags: [], queryParams: [], ...source };
    if (r.kind === "websocket") return [{ ...base, method: "WEBSOCKET", path: r.path, pathParams: pathParams(r.path) }];
    if (r.kind === "mount") {
      const path = `${r.path}/{path:path}`;
      return [{ ...base, method: "GET", path, pathParams: pathParams(path) }];
    }
    const automaticHead = r.api !== true && r.methods.includes("GET");
    return r.methods
      .filter((m) => isMethod(m) && !(automaticHead && m === "HEAD"))
      .map((method) => ({ ...base, method: method as Endpoint["method"], path: r.path, pathParams: pathParams(r.path) }));
  });

const key = (e: Pick<Endpoint, "method" | "path">) => `${e.method} ${openApiPath(e.path)}`;

/**
 * What the app's OpenAPI document adds to its routes (summaries, tags, parameters, models); the
 * routes themselves, their paths and names come from the route table, whatever the document left out.
 */
export const enrichFromOpenApi = (routes: ReadonlyArray<Endpoint>, documented: ReadonlyArray<Endpoint>): Endpoint[] => {
  const byKey = new Map(documented.map((d) => [key(d), d]));
  return routes.map((r) => {
    const d = byKey.get(key(r));
    return d === undefined ? r : { ...d, method: r.method, path: r.path, name: r.name, ...(r.source === undefined ? {} : { source: r.source }) };
  });
};
