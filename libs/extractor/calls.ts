// Calls and attribute access: project functions and classes are interpreted (so factories
// and app classes work), FastAPI/APIRouter objects are modelled in fastapi-model.ts, and
// anything else from outside the project is an opaque, named value.
import { isInstance, isSubclass } from "./class-checks.ts";
import { callEnvironmentReader, externalValue, modelFields, settingsFromEnvironment } from "./environment.ts";
import { evaluate, reasonOf, siteOf, textOf, toText, truthiness } from "./evaluate.ts";
import { bindParameters, executeFunctionBody } from "./execute.ts";
import { callRouterMethod, createRouterObject, isRouterMethod, routerKindOfClass } from "./fastapi-model.ts";
import type { Interpreter } from "./interpreter.ts";
import { mayBuild, reportBudget } from "./interpreter.ts";
import type { SyntaxNode } from "./python-parser.ts";
import { parseArgs } from "./python-syntax.ts";
import { buildRouteObject, callRouteListMethod, isRouteClass, routeListOf } from "./route-objects.ts";
import type { ClassValue, FunctionValue, PyObject, Scope, Site, Value } from "./values.ts";
import { at, NONE, str, unknown } from "./values.ts";

export interface Arg {
  readonly value: Value;
  readonly node: SyntaxNode | null;
  readonly scope: Scope | null;
}

export interface Args {
  readonly positional: ReadonlyArray<Arg>;
  readonly keywords: ReadonlyMap<string, Arg>;
  /** Why some arguments are not known (an unexpandable *args / **kwargs), if so. */
  readonly opaque: string | null;
}

export const plainArgs = (positional: Value[]): Args => ({
  positional: positional.map((value) => ({ value, node: null, scope: null })),
  keywords: new Map(),
  opaque: null,
});

export const evaluateArgs = (interp: Interpreter, argList: SyntaxNode, scope: Scope): Args => {
  const positional: Arg[] = [];
  const keywords = new Map<string, Arg>();
  let opaque: string | null = null;
  const text = (node: SyntaxNode) => textOf(scope, node);
  for (const arg of parseArgs(argList, text)) {
    if (arg.node.name === "for" || arg.node.name === "async") {
      opaque = "generator argument";
      break;
    }
    const value = evaluate(interp, arg.node, scope);
    if (arg.star === "*") {
      const fits = value.kind === "seq" && mayBuild(interp, "container", positional.length + value.items.length, siteOf(scope, arg.node));
      if (value.kind === "seq" && fits) for (const item of value.items) positional.push({ value: item, node: null, scope: null });
      else opaque = `*${text(arg.node)}: ${reasonOf(value)}`;
    } else if (arg.star === "**") {
      if (value.kind === "dict") for (const [key, item] of value.entries) keywords.set(key, { value: item, node: null, scope: null });
      else opaque = `**${text(arg.node)}: ${reasonOf(value)}`;
    } else if (arg.keyword !== null) {
      keywords.set(arg.keyword, { value, node: arg.node, scope });
    } else {
      positional.push({ value, node: arg.node, scope });
    }
  }
  return { positional, keywords, opaque };
};

/** The argument named `name` (or at `position`), as FastAPI's signatures accept both. */
export const argument = (args: Args, name: string, position: number | null): Arg | null =>
  args.keywords.get(name) ?? (position === null ? null : (args.positional[position] ?? null));

export const callValue = (interp: Interpreter, callee: Value, args: Args, site: Site, calleeText: string): Value => {
  switch (callee.kind) {
    case "external":
      return callExternal(interp, callee.name, args, site);
    case "function":
      return callFunction(interp, callee, args, site);
    case "class":
      return instantiate(interp, callee.cls, args, site);
    case "method":
      return callMethod(interp, callee.name, callee.receiver, args, site);
    case "decorator": {
      const target = args.positional[0]?.value ?? unknown("decorator applied to nothing");
      callee.apply(target);
      return target;
    }
    case "unknown":
      return unknown(`\`${calleeText}(...)\` at ${at(site)}: ${callee.reason}`);
    default:
      return unknown(`\`${calleeText}(...)\` at ${at(site)} is not callable statically`);
  }
};

const PASSTHROUGH_DECORATORS = new Set(["builtins.staticmethod", "builtins.classmethod", "builtins.property"]);

const callExternal = (interp: Interpreter, name: string, args: Args, site: Site): Value => {
  const routerKind = routerKindOfClass({ kind: "external", name });
  if (routerKind) return createRouterObject(interp, routerKind, null, args, site);
  if (isRouteClass(name)) return buildRouteObject(interp, name, args, site);
  const first = args.positional[0]?.value;
  if (PASSTHROUGH_DECORATORS.has(name) || name === "functools.wraps") return first ?? NONE;
  if (name === "builtins.str" && first) {
    const text = toText(first);
    return text === null ? unknown(`str(...) at ${at(site)}: ${reasonOf(first)}`) : str(text);
  }
  if (name === "builtins.getattr" && first) {
    const attribute = args.positional[1]?.value;
    if (attribute?.kind === "str") return getAttribute(interp, first, attribute.value, site);
  }
  if ((name === "builtins.list" || name === "builtins.tuple") && first?.kind === "seq") return first;
  if (name === "builtins.dict" && first?.kind === "dict" && args.keywords.size === 0) return { kind: "dict", entries: new Map(first.entries) };
  if (name === "builtins.bool" && first) {
    const truth = truthiness(first);
    if (truth !== null) return { kind: "bool", value: truth };
  }
  const classTarget = args.positional[1]?.value;
  if ((name === "builtins.isinstance" || name === "builtins.issubclass") && first && classTarget) {
    const verdict = name === "builtins.isinstance" ? isInstance(first, classTarget) : first.kind === "class" ? isSubclass(first.cls, classTarget) : null;
    if (verdict !== null) return { kind: "bool", value: verdict };
  }
  if (name === "builtins.super") {
    const self = interp.currentSelf;
    return self ? { kind: "super", self } : unknown(`super() outside a method at ${at(site)}`);
  }
  return callEnvironmentReader(interp, name, args, site) ?? { kind: "unknown", reason: `the result of ${name}() at ${at(site)} is only known at run time`, madeBy: name };
};

const callFunction = (
  interp: Interpreter,
  callee: Extract<Value, { kind: "function" }>,
  args: Args,
  site: Site,
): Value => {
  if (interp.callDepth >= interp.budgets.callDepth) {
    reportBudget(interp, "call depth", site);
    return unknown(`call depth limit reached at ${at(site)}`);
  }
  const { fn } = callee;
  const scope: Scope = { vars: new Map(), parent: fn.closure, module: fn.module };
  const selfObject = callee.self?.kind === "object" ? callee.self.obj : null;
  bindParameters(interp, fn, callee.self, args, scope);
  const savedSelf = interp.currentSelf;
  interp.currentSelf = selfObject ?? savedSelf;
  interp.callDepth += 1;
  try {
    return executeFunctionBody(interp, fn, scope);
  } finally {
    interp.callDepth -= 1;
    interp.currentSelf = savedSelf;
  }
};

const instantiate = (interp: Interpreter, cls: ClassValue, args: Args, site: Site): Value => {
  const routerKind = routerKindOfClass({ kind: "class", cls });
  const object: PyObject = routerKind
    ? createRouterObject(interp, routerKind, cls, args, site).obj
    : { cls, attrs: new Map(), router: null, isApp: false, site };
  const self: Value = { kind: "object", obj: object };
  const init = classAttribute(cls, "__init__");
  if (init?.kind === "function") {
    callFunction(interp, { kind: "function", fn: init.fn, self }, args, site);
  } else if (!routerKind) {
    // Pydantic models and settings: keyword arguments become the instance's fields (validated
    // as pydantic would for the simple types), settings read the others from the environment.
    const given = modelFields(cls, new Map([...args.keywords].map(([key, arg]) => [key, arg.value])));
    for (const [key, value] of given) object.attrs.set(key, value);
    for (const [key, value] of settingsFromEnvironment(interp, cls, given, (name) => settingsConfig(cls, name))) object.attrs.set(key, value);
  }
  return self;
};

/** A pydantic-settings option: `model_config = SettingsConfigDict(...)`, or the class's inner `Config`. */
const settingsConfig = (cls: ClassValue, name: string): Value | null => {
  const modelConfig = classAttribute(cls, "model_config");
  if (modelConfig?.kind === "dict") return modelConfig.entries.get(name) ?? null;
  const inner = classAttribute(cls, "Config");
  return inner?.kind === "class" ? classAttribute(inner.cls, name) : null;
};

export const classAttribute = (cls: ClassValue, name: string, seen = new Set<ClassValue>()): Value | null => {
  if (seen.has(cls)) return null;
  seen.add(cls);
  const own = cls.attrs.get(name);
  if (own) return own;
  for (const base of cls.bases) {
    if (base.kind !== "class") continue;
    const inherited = classAttribute(base.cls, name, seen);
    if (inherited) return inherited;
  }
  return null;
};

const callMethod = (interp: Interpreter, name: string, receiver: Value, args: Args, site: Site): Value => {
  if (receiver.kind === "object" && receiver.obj.router) return callRouterMethod(interp, receiver.obj, name, args, site);
  if (receiver.kind === "object" && receiver.obj.routeList) return callRouteListMethod(interp, receiver.obj.routeList, name, args, site);
  if (receiver.kind === "dict") return callDictMethod(receiver.entries, name, args, site);
  if (receiver.kind === "str") return callStringMethod(interp, receiver.value, name, args, site);
  if (receiver.kind === "super") return callSuperMethod(interp, receiver.self, name, args, site);
  return unknown(`method ${name}() at ${at(site)}`);
};

const callDictMethod = (entries: ReadonlyMap<string, Value>, name: string, args: Args, site: Site): Value => {
  const keys = (): Value[] => [...entries.keys()].map((key) => str(key));
  switch (name) {
    case "items":
      return { kind: "seq", items: [...entries].map(([key, value]): Value => ({ kind: "seq", items: [str(key), value] })) };
    case "keys":
      return { kind: "seq", items: keys() };
    case "values":
      return { kind: "seq", items: [...entries.values()] };
    case "get": {
      const key = args.positional[0] ? toText(args.positional[0].value) : null;
      if (key === null) return unknown(`dict.get(...) with a key not known statically at ${at(site)}`);
      return entries.get(key) ?? args.positional[1]?.value ?? NONE;
    }
    default:
      return unknown(`dict.${name}() at ${at(site)}`);
  }
};

const callSuperMethod = (interp: Interpreter, self: PyObject, name: string, args: Args, site: Site): Value => {
  for (const base of self.cls?.bases ?? []) {
    if (base.kind !== "class") continue;
    const method = classAttribute(base.cls, name);
    if (method?.kind === "function") return callFunction(interp, { kind: "function", fn: method.fn, self: { kind: "object", obj: self } }, args, site);
  }
  if (name === "__init__" && self.router) {
    callRouterMethod(interp, self, "__init__", args, site);
    return NONE;
  }
  return name === "__init__" ? NONE : unknown(`super().${name}() at ${at(site)}`);
};

const callStringMethod = (interp: Interpreter, text: string, name: string, args: Args, site: Site): Value => {
  const values = args.positional.map((arg) => arg.value);
  const texts = values.map(toText);
  const fail = () => unknown(`"${text}".${name}(...) at ${at(site)}`);
  if ((name !== "join" && texts.some((item) => item === null)) || args.opaque) return fail();
  const first = texts[0] ?? undefined;
  switch (name) {
    case "strip":
    case "rstrip":
    case "lstrip": {
      const chars = first === undefined ? " \t\n\r" : first;
      let start = 0;
      let end = text.length;
      if (name !== "rstrip") while (start < end && chars.includes(text[start] ?? "")) start++;
      if (name !== "lstrip") while (end > start && chars.includes(text[end - 1] ?? "")) end--;
      return str(text.slice(start, end));
    }
    case "lower":
      return str(text.toLowerCase());
    case "upper":
      return str(text.toUpperCase());
    case "replace": {
      if (texts.length !== 2) return fail();
      const pieces = text.split(texts[0] ?? "");
      const size = text.length + (pieces.length - 1) * Math.max(0, (texts[1] ?? "").length - (texts[0] ?? "").length);
      return mayBuild(interp, "string", size, site) ? str(pieces.join(texts[1] ?? "")) : fail();
    }
    case "join": {
      // str.join takes strings only (None or numbers raise TypeError).
      const items = values[0]?.kind === "seq" ? values[0].items.map((item) => (item.kind === "str" ? item.value : null)) : null;
      if (!items || !items.every((item) => item !== null)) return fail();
      const size = items.reduce((sum, item) => sum + (item?.length ?? 0), 0) + text.length * Math.max(0, items.length - 1);
      return mayBuild(interp, "string", size, site) ? str(items.join(text)) : fail();
    }
    case "format": {
      const fields = text.match(/\{[^{}]*\}/g)?.length ?? 0;
      const longest = Math.max(0, ...[...texts, ...[...args.keywords.values()].map((arg) => toText(arg.value))].map((item) => item?.length ?? 0));
      return mayBuild(interp, "string", text.length + fields * longest, site) ? (formatMethod(text, texts as string[], args) ?? fail()) : fail();
    }
    default:
      return fail();
  }
};

const formatMethod = (template: string, positional: string[], args: Args): Value | null => {
  let auto = 0;
  let failed = false;
  const out = template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, field: string | undefined) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    const key = field ?? "";
    const text = key === "" ? positional[auto++] : /^\d+$/.test(key) ? positional[Number(key)] : toText(args.keywords.get(key)?.value ?? NONE_UNKNOWN);
    if (text === undefined || text === null) failed = true;
    return text ?? "";
  });
  return failed ? null : str(out);
};

const NONE_UNKNOWN: Value = unknown("missing format argument");

export const getAttribute = (interp: Interpreter, object: Value, name: string, site: Site): Value => {
  switch (object.kind) {
    case "module": {
      const found = object.module.scope.vars.get(name);
      if (found) return found;
      if (object.module.failure) return unknown(`${object.module.file} cannot be imported: ${object.module.failure}`);
      return unknown(
        object.module.status === "running"
          ? `\`${object.module.name}.${name}\` is not defined yet when used at ${at(site)} (import cycle)`
          : `module ${object.module.name} has no attribute \`${name}\``,
      );
    }
    case "external":
      return externalValue(interp, `${object.name}.${name}`);
    case "object": {
      const own = object.obj.attrs.get(name);
      if (own) return own;
      const fromClass = object.obj.cls ? classAttribute(object.obj.cls, name) : null;
      if (fromClass?.kind === "function" && object.obj.cls) return bindMethod(fromClass.fn, object, object.obj.cls);
      if (fromClass) return fromClass;
      if (object.obj.router && isRouterMethod(name)) return { kind: "method", name, receiver: object };
      if (object.obj.router && name === "routes") {
        object.obj.router.routesUsed = true;
        return routeListOf(object.obj.router, site);
      }
      if (object.obj.routeList) return { kind: "method", name, receiver: object };
      return unknown(`attribute \`${name}\` of ${object.obj.cls?.name ?? "object"} at ${at(site)}`);
    }
    case "class": {
      const found = classAttribute(object.cls, name);
      if (found?.kind === "function" && found.fn.decoratorNames.includes("classmethod")) return bindMethod(found.fn, object, object.cls);
      if (found) return found;
      return unknown(`class ${object.cls.name} has no attribute \`${name}\` known statically`);
    }
    case "str":
    case "dict":
      return { kind: "method", name, receiver: object };
    case "super":
      return { kind: "method", name, receiver: object };
    case "unknown":
      return object;
    default:
      return unknown(`attribute \`${name}\` at ${at(site)}`);
  }
};

const bindMethod = (fn: FunctionValue, receiver: Value, cls: ClassValue): Value => {
  if (fn.decoratorNames.includes("staticmethod")) return { kind: "function", fn, self: null };
  if (fn.decoratorNames.includes("classmethod")) return { kind: "function", fn, self: { kind: "class", cls } };
  return { kind: "function", fn, self: receiver };
};
