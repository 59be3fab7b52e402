// The abstract values the extractor's small Python interpreter computes with. Anything it
// cannot know statically is an `unknown` carrying the reason, so a use of it that matters
// (a route path, an included router) can be reported instead of guessed.
import type { SyntaxNode } from "./python-parser.ts";
import type { ModuleState } from "./module-state.ts";

export interface Site {
  readonly file: string;
  readonly line: number;
}

export type Value =
  | { readonly kind: "str"; readonly value: string }
  | { readonly kind: "num"; readonly value: number }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "none" }
  | { readonly kind: "seq"; readonly items: ReadonlyArray<Value> }
  | { readonly kind: "dict"; readonly entries: ReadonlyMap<string, Value> }
  | { readonly kind: "module"; readonly module: ModuleState }
  | { readonly kind: "external"; readonly name: string }
  | { readonly kind: "function"; readonly fn: FunctionValue; readonly self: Value | null }
  | { readonly kind: "class"; readonly cls: ClassValue }
  | { readonly kind: "object"; readonly obj: PyObject }
  | { readonly kind: "method"; readonly name: string; readonly receiver: Value }
  | { readonly kind: "decorator"; readonly apply: (target: Value) => void }
  | { readonly kind: "super"; readonly self: PyObject }
  | { readonly kind: "unknown"; readonly reason: string; readonly madeBy?: string };

export interface Scope {
  readonly vars: Map<string, Value>;
  /** Enclosing function or module scope (class bodies are not visible to nested functions). */
  readonly parent: Scope | null;
  readonly module: ModuleState;
  readonly isClassBody?: boolean;
}

export interface FunctionValue {
  readonly name: string;
  readonly node: SyntaxNode; // FunctionDefinition
  readonly module: ModuleState;
  readonly closure: Scope;
  /** Line Python reports as the function's first line: its first decorator, else `def`. */
  readonly firstLine: number;
  readonly decoratorNames: ReadonlyArray<string>;
}

export interface ClassValue {
  readonly name: string;
  readonly bases: ReadonlyArray<Value>;
  readonly attrs: Map<string, Value>;
  readonly module: ModuleState;
  readonly site: Site;
  readonly node: SyntaxNode; // ClassDefinition
}

export interface PyObject {
  readonly cls: ClassValue | null;
  readonly attrs: Map<string, Value>;
  /** Present for FastAPI apps and APIRouters (and their subclasses). */
  readonly router: RouterState | null;
  readonly isApp: boolean;
  readonly site: Site;
  /** A route object built directly (`APIRoute(...)`, `Route(...)`, `Mount(...)`), not yet in a router. */
  readonly route?: RouteRecord;
  /** `app.routes` / `router.routes`: the list itself, so append/extend/insert add routes. */
  readonly routeList?: RouterState;
}

export interface RouterState {
  prefix: string;
  /** Why the prefix is unknown, if it is: routes added through this router cannot be placed. */
  prefixProblem: string | null;
  tags: string[];
  deprecated: boolean;
  readonly routes: RouteRecord[];
  readonly owner: PyObject;
  readonly site: Site;
  /** The name it was first bound to, for messages ("router `users.router`"). */
  label: string;
  readonly includes: PyObject[];
  readonly isApp: boolean;
  /** Set when an include of it was already reported (conditional, unknown prefix). */
  reported: boolean;
  /** Set when its route list is used directly (`callbacks=router.routes`): not an orphan. */
  routesUsed: boolean;
}

export interface RouteOptions {
  readonly tags: ReadonlyArray<string>;
  readonly summary?: string;
  readonly description?: string;
  readonly responseModel?: string | null; // null: explicitly `response_model=None`
  readonly statusCode?: number;
  readonly deprecated: boolean;
}

export type RouteRecord =
  | {
      readonly kind: "operation";
      readonly methods: ReadonlyArray<string>;
      readonly path: string;
      readonly handler: Value;
      readonly options: RouteOptions;
      readonly site: Site;
      /** Starlette-level routes (add_route) ignore the router prefix and answer HEAD for GET. */
      readonly framework: "fastapi" | "starlette";
    }
  | {
      readonly kind: "websocket";
      readonly path: string;
      readonly handler: Value;
      readonly site: Site;
      readonly framework: "fastapi" | "starlette";
    }
  | { readonly kind: "mount"; readonly path: string; readonly app: PyObject; readonly site: Site };

export const NONE: Value = { kind: "none" };
export const str = (value: string): Value => ({ kind: "str", value });
export const unknown = (reason: string): Value => ({ kind: "unknown", reason });

export const at = (site: Site): string => `${site.file}:${site.line}`;
