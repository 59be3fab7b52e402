// Statement execution: imports, assignments, definitions with their decorators, and control
// flow. A branch or loop whose condition cannot be known runs "speculatively": its effects
// on apps and routers become diagnostics, and names it assigns are unknown afterwards.
import type { Args } from "./calls.ts";
import { callValue, evaluateArgs, getAttribute } from "./calls.ts";
import { evaluate, lookupName, reasonOf, siteOf, textOf, truthiness } from "./evaluate.ts";
import type { Interpreter } from "./interpreter.ts";
import { BudgetExceeded, countStep, importModule, mayBuild, moduleState, report, reportBudget } from "./interpreter.ts";
import type { SpeculativeWrites } from "./interpreter.ts";
import { resolveRelativeModule } from "./module-graph.ts";
import type { ModuleState } from "./module-state.ts";
import type { SyntaxNode } from "./python-parser.ts";
import { childrenOf, significantChildren } from "./python-parser.ts";
import { externalValue } from "./environment.ts";
import { parseDecorator, parseImport, parseParams } from "./python-syntax.ts";
import type { FunctionValue, Scope, Site, Value } from "./values.ts";
import { NONE, unknown } from "./values.ts";

type Completion =
  | { readonly kind: "normal" }
  | { readonly kind: "return"; readonly value: Value }
  | { readonly kind: "break" | "continue" | "raise" };

const NORMAL: Completion = { kind: "normal" };
const MAX_LOOP_ITERATIONS = 10_000;


export const executeBlock = (interp: Interpreter, block: SyntaxNode, scope: Scope): Completion => {
  for (let statement = block.firstChild; statement; statement = statement.nextSibling) {
    const completion = executeStatement(interp, statement, scope);
    if (completion.kind !== "normal") return completion;
  }
  return NORMAL;
};

/** A module's top level: each statement (with all it calls and loops) has its own step budget. */
export const executeModuleBody = (interp: Interpreter, block: SyntaxNode, scope: Scope): void => {
  for (let statement = block.firstChild; statement; statement = statement.nextSibling) {
    if (executeModuleStatement(interp, statement, scope).kind !== "normal") return;
  }
};

const executeModuleStatement = (interp: Interpreter, statement: SyntaxNode, scope: Scope): Completion => {
  const outer = interp.statementSteps;
  interp.statementSteps = 0;
  try {
    return executeStatement(interp, statement, scope);
  } catch (error) {
    if (!(error instanceof BudgetExceeded) || error.scope !== "statement") throw error;
    // Said at the statement whose effects are dropped, not at the innermost line it reached.
    reportBudget(interp, error.budget, siteOf(scope, statement));
    return NORMAL;
  } finally {
    interp.statementSteps = outer;
  }
};

const executeStatement = (interp: Interpreter, node: SyntaxNode, scope: Scope): Completion => {
  // Two plain fields, not an object per statement: this runs for every statement interpreted.
  const savedModule = interp.positionModule;
  const savedFrom = interp.positionFrom;
  interp.positionModule = scope.module;
  interp.positionFrom = node.from;
  countStep(interp);
  if (interp.nesting >= interp.budgets.nesting) {
    reportBudget(interp, "nesting", siteOf(scope, node));
    interp.positionModule = savedModule;
    interp.positionFrom = savedFrom;
    return NORMAL;
  }
  interp.nesting += 1;
  try {
    return runStatement(interp, node, scope);
  } finally {
    interp.nesting -= 1;
    interp.positionModule = savedModule;
    interp.positionFrom = savedFrom;
  }
};

const runStatement = (interp: Interpreter, node: SyntaxNode, scope: Scope): Completion => {
  switch (node.name) {
    case "ImportStatement":
      executeImport(interp, node, scope);
      return NORMAL;
    case "AssignStatement":
      executeAssignment(interp, node, scope);
      return NORMAL;
    case "UpdateStatement":
      executeUpdate(interp, node, scope);
      return NORMAL;
    case "ExpressionStatement": {
      const expression = node.firstChild;
      if (expression) evaluate(interp, expression, scope);
      return NORMAL;
    }
    case "FunctionDefinition":
    case "ClassDefinition":
    case "DecoratedStatement":
      executeDefinition(interp, node, scope);
      return NORMAL;
    case "IfStatement":
      return executeIf(interp, node, scope);
    case "ForStatement":
      return executeFor(interp, node, scope);
    case "WhileStatement":
      return executeWhile(interp, node, scope);
    case "TryStatement":
      return executeTry(interp, node, scope);
    case "WithStatement":
      return executeWith(interp, node, scope);
    case "StatementGroup":
      return executeBlock(interp, node, scope);
    case "ReturnStatement": {
      const values = significantChildren(node).filter((child) => child.name !== "return");
      if (values.length === 0) return { kind: "return", value: NONE };
      const evaluated = values.map((child) => evaluate(interp, child, scope));
      return { kind: "return", value: evaluated.length === 1 && evaluated[0] ? evaluated[0] : { kind: "seq", items: evaluated } };
    }
    case "BreakStatement":
      return { kind: "break" };
    case "ContinueStatement":
      return { kind: "continue" };
    case "RaiseStatement":
      return interp.speculative ? NORMAL : { kind: "raise" };
    default:
      return NORMAL;
  }
};

// ---- assignment ---------------------------------------------------------------------------

export const bindName = (interp: Interpreter, scope: Scope, name: string, value: Value): void => {
  const pending = interp.speculativeWrites[interp.speculativeWrites.length - 1];
  if (interp.speculative && pending) pending.writes.push({ vars: scope.vars, name });
  scope.vars.set(name, value);
  labelRouter(value, scope.parent ? name : `${scope.module.name}.${name}`);
};

const setAttribute = (interp: Interpreter, target: Value, name: string, value: Value): void => {
  const vars =
    target.kind === "object" ? target.obj.attrs : target.kind === "class" ? target.cls.attrs : target.kind === "module" ? target.module.scope.vars : null;
  if (!vars) return;
  const pending = interp.speculativeWrites[interp.speculativeWrites.length - 1];
  if (interp.speculative && pending) pending.writes.push({ vars, name });
  vars.set(name, value);
  labelRouter(value, `${target.kind === "object" ? (target.obj.cls?.name ?? "object") : target.kind === "class" ? target.cls.name : ""}.${name}`);
};

const labelRouter = (value: Value, label: string): void => {
  const router = value.kind === "object" ? value.obj.router : null;
  if (router && (router.label === "router" || router.label === "app") && value.kind === "object" && value.obj.router === router) {
    router.label = label;
  }
};

const assignTarget = (interp: Interpreter, target: SyntaxNode, value: Value, scope: Scope): void => {
  switch (target.name) {
    case "VariableName":
      bindName(interp, scope, textOf(scope, target), value);
      return;
    case "MemberExpression": {
      const children = childrenOf(target);
      const property = children.find((child) => child.name === "PropertyName");
      const objectNode = children[0];
      if (property && objectNode && children[1]?.name === ".") {
        setAttribute(interp, evaluate(interp, objectNode, scope), textOf(scope, property), value);
      }
      return;
    }
    case "TupleExpression":
    case "ArrayExpression":
    case "ParenthesizedExpression":
      unpack(interp, significantChildren(target), value, scope);
      return;
    default:
      return;
  }
};

export const unpack = (interp: Interpreter, targets: SyntaxNode[], value: Value, scope: Scope): void => {
  if (targets.length === 1 && targets[0]) {
    assignTarget(interp, targets[0], value, scope);
    return;
  }
  const items = value.kind === "seq" && value.items.length === targets.length ? value.items : null;
  targets.forEach((target, index) => {
    const item = items?.[index] ?? unknown(`unpacking ${reasonOf(value)}`);
    assignTarget(interp, target, item, scope);
  });
};

const executeAssignment = (interp: Interpreter, node: SyntaxNode, scope: Scope): void => {
  const groups: SyntaxNode[][] = [[]];
  for (const child of childrenOf(node)) {
    if (child.name === "AssignOp") groups.push([]);
    else if (child.name !== "," && child.name !== "TypeDef") groups[groups.length - 1]?.push(child);
  }
  if (groups.length < 2) return; // a bare annotation (`x: int`)
  const valueNodes = groups[groups.length - 1] ?? [];
  const values = valueNodes.map((child) => evaluate(interp, child, scope));
  const value: Value = values.length === 1 && values[0] ? values[0] : { kind: "seq", items: values };
  for (const targets of groups.slice(0, -1)) unpack(interp, targets, value, scope);
};

const executeUpdate = (interp: Interpreter, node: SyntaxNode, scope: Scope): void => {
  const [target, operator, valueNode] = childrenOf(node);
  if (!target || !operator || !valueNode) return;
  const current = evaluate(interp, target, scope);
  const addition = evaluate(interp, valueNode, scope);
  const op = textOf(scope, operator).replace("=", "");
  let result: Value = unknown(`\`${textOf(scope, node)}\` at ${siteOf(scope, node).file}:${siteOf(scope, node).line}`);
  const site = siteOf(scope, node);
  if (op === "+" && current.kind === "str" && addition.kind === "str") {
    if (mayBuild(interp, "string", current.value.length + addition.value.length, site)) result = { kind: "str", value: current.value + addition.value };
  } else if (op === "+" && current.kind === "seq" && addition.kind === "seq") {
    if (mayBuild(interp, "container", current.items.length + addition.items.length, site)) result = { kind: "seq", items: [...current.items, ...addition.items] };
  }
  assignTarget(interp, target, result, scope);
};

// ---- imports ------------------------------------------------------------------------------

const executeImport = (interp: Interpreter, node: SyntaxNode, scope: Scope): void => {
  const syntax = parseImport(node, (child) => textOf(scope, child));
  const site = siteOf(scope, node);
  if (syntax.kind === "import") {
    for (const { name, alias } of syntax.modules) {
      const top = name.split(".")[0] ?? name;
      const module = importModule(interp, name);
      if (!module && interp.index.hasTopLevel(name)) {
        report(interp, site, "warning", "unresolved_import", `module ${name} is not in the project`);
      }
      const bound: Value = alias
        ? module ? { kind: "module", module } : externalOrUnknown(interp, name)
        : module || interp.index.hasTopLevel(name) ? moduleValue(interp, top) : { kind: "external", name: top };
      bindName(interp, scope, alias ?? top, bound);
    }
    return;
  }
  const absolute = syntax.level > 0
    ? resolveRelativeModule(scope.module.name, scope.module.isPackage, syntax.level, syntax.module, interp.index.rootIsPackage)
    : syntax.module;
  if (absolute === "") {
    // `from . import x` at the root of a project that is itself a package: x is a top-level module.
    bindImportedNames(interp, scope, syntax.names, (name) => {
      const module = importModule(interp, name);
      if (module) return { kind: "module", module };
      report(interp, site, "warning", "unresolved_import", `module ${name} is not in the project`);
      return unknown(`module ${name} is not in the project`);
    });
    return;
  }
  if (absolute === null) {
    report(interp, site, "warning", "unresolved_import", `relative import beyond the top-level package in ${scope.module.file ?? scope.module.name}`);
    bindImportedNames(interp, scope, syntax.names, () => unknown(`relative import at ${site.file}:${site.line} cannot be resolved`));
    return;
  }
  const module = importModule(interp, absolute);
  if (!module) {
    if (syntax.level > 0 || interp.index.hasTopLevel(absolute)) {
      report(interp, site, "warning", "unresolved_import", `module ${absolute} is not in the project`);
      bindImportedNames(interp, scope, syntax.names, () => unknown(`module ${absolute} is not in the project`));
    } else {
      bindImportedNames(interp, scope, syntax.names, (name) => externalValue(interp, `${absolute}.${name}`));
    }
    return;
  }
  if (syntax.names === "*") {
    for (const [name, value] of starExports(module)) bindName(interp, scope, name, value);
    return;
  }
  bindImportedNames(interp, scope, syntax.names, (name) => importFrom(interp, module, name, site));
};

const moduleValue = (interp: Interpreter, name: string): Value => {
  const module = moduleState(interp, name);
  return module ? { kind: "module", module } : unknown(`module ${name} is not in the project`);
};

const externalOrUnknown = (interp: Interpreter, name: string): Value =>
  interp.index.hasTopLevel(name) ? unknown(`module ${name} is not in the project`) : { kind: "external", name };

const bindImportedNames = (
  interp: Interpreter,
  scope: Scope,
  names: ReadonlyArray<{ name: string; alias: string | null }> | "*",
  valueOf: (name: string) => Value,
): void => {
  if (names === "*") return;
  for (const { name, alias } of names) bindName(interp, scope, alias ?? name, valueOf(name));
};

const importFrom = (interp: Interpreter, module: ModuleState, name: string, site: Site): Value => {
  if (module.failure) return unknown(`${module.file} cannot be imported: ${module.failure}`);
  const found = module.scope.vars.get(name);
  if (found) return found;
  const submodule = importModule(interp, `${module.name}.${name}`);
  if (submodule) return { kind: "module", module: submodule };
  if (module.status === "running") {
    const message = `\`${name}\` is imported from ${module.name} before ${module.name} defines it (import cycle); Python would fail here`;
    report(interp, site, "error", "import_cycle", message);
    return unknown(message);
  }
  report(interp, site, "warning", "unresolved_import", `cannot import \`${name}\` from ${module.name}`);
  return unknown(`cannot import \`${name}\` from ${module.name}`);
};

const starExports = (module: ModuleState): Array<[string, Value]> => {
  const all = module.scope.vars.get("__all__");
  if (all?.kind === "seq") {
    return all.items.flatMap((item): Array<[string, Value]> => {
      if (item.kind !== "str") return [];
      const value = module.scope.vars.get(item.value);
      return value ? [[item.value, value]] : [];
    });
  }
  return [...module.scope.vars].filter(([name]) => !name.startsWith("_"));
};

// ---- definitions --------------------------------------------------------------------------

const executeDefinition = (interp: Interpreter, node: SyntaxNode, scope: Scope): void => {
  const decorators = node.name === "DecoratedStatement" ? childrenOf(node).filter((child) => child.name === "Decorator") : [];
  const definition = node.name === "DecoratedStatement" ? childrenOf(node).find((child) => child.name === "FunctionDefinition" || child.name === "ClassDefinition") : node;
  if (!definition) return;
  const nameNode = childrenOf(definition).find((child) => child.name === "VariableName");
  if (!nameNode) return;
  const name = textOf(scope, nameNode);
  const decoratorCallees = decorators.map((decorator) => evaluateDecorator(interp, decorator, scope));
  let value: Value =
    definition.name === "FunctionDefinition"
      ? { kind: "function", fn: makeFunction(definition, scope, name, node, decorators), self: null }
      : defineClass(interp, definition, scope, name);
  for (let i = decoratorCallees.length - 1; i >= 0; i--) {
    const decorator = decoratorCallees[i];
    const decoratorNode = decorators[i];
    if (!decorator || !decoratorNode) continue;
    const result = callValue(interp, decorator, { positional: [{ value, node: null, scope: null }], keywords: new Map(), opaque: null }, siteOf(scope, decoratorNode), textOf(scope, decoratorNode));
    // Unknown decorators (caching, auth wrappers...) are assumed to keep the function usable.
    if (result.kind !== "unknown") value = result;
  }
  bindName(interp, scope, name, value);
};

const evaluateDecorator = (interp: Interpreter, decorator: SyntaxNode, scope: Scope): Value => {
  const syntax = parseDecorator(decorator);
  if (!syntax) return unknown("empty decorator");
  const [first, ...rest] = syntax.names;
  if (!first) return evaluate(interp, syntax.expression, scope);
  let value = lookupName(scope, textOf(scope, first));
  for (const part of rest) value = getAttribute(interp, value, textOf(scope, part), siteOf(scope, part));
  if (!syntax.argList) return value;
  const args: Args = evaluateArgs(interp, syntax.argList, scope);
  return callValue(interp, value, args, siteOf(scope, decorator), textOf(scope, decorator).slice(1).split("(")[0] ?? "");
};

const makeFunction = (definition: SyntaxNode, scope: Scope, name: string, statement: SyntaxNode, decorators: SyntaxNode[]): FunctionValue => ({
  name,
  node: definition,
  module: scope.module,
  closure: scope.isClassBody ? (scope.parent ?? scope) : scope,
  firstLine: siteOf(scope, statement).line,
  decoratorNames: decorators.map((decorator) => textOf(scope, decorator).slice(1).split("(")[0]?.trim() ?? ""),
});

const defineClass = (interp: Interpreter, definition: SyntaxNode, scope: Scope, name: string): Value => {
  const argList = childrenOf(definition).find((child) => child.name === "ArgList");
  const bases = argList ? evaluateArgs(interp, argList, scope).positional.map((arg) => arg.value) : [];
  const attrs = new Map<string, Value>();
  const cls = { name, bases, attrs, module: scope.module, site: siteOf(scope, definition), node: definition };
  const body = childrenOf(definition).find((child) => child.name === "Body");
  if (body) executeBlock(interp, body, { vars: attrs, parent: scope, module: scope.module, isClassBody: true });
  return { kind: "class", cls };
};

// ---- functions ----------------------------------------------------------------------------

export const bindParameters = (interp: Interpreter, fn: FunctionValue, self: Value | null, args: Args, scope: Scope): void => {
  const params = parseParams(childrenOf(fn.node).find((child) => child.name === "ParamList") ?? null, (node) => textOf(scope, node));
  const positional = self ? [self, ...args.positional.map((arg) => arg.value)] : args.positional.map((arg) => arg.value);
  const used = new Set<string>();
  let index = 0;
  for (const param of params) {
    if (param.kind === "var-positional") {
      scope.vars.set(param.name, args.opaque ? unknown(args.opaque) : { kind: "seq", items: positional.slice(index) });
      index = positional.length;
      continue;
    }
    if (param.kind === "var-keyword") {
      const rest = new Map([...args.keywords].filter(([key]) => !used.has(key)).map(([key, arg]) => [key, arg.value] as const));
      scope.vars.set(param.name, args.opaque ? unknown(args.opaque) : { kind: "dict", entries: rest });
      continue;
    }
    const keyword = args.keywords.get(param.name);
    let value: Value | undefined;
    if (param.kind === "positional" && index < positional.length) value = positional[index++];
    else if (keyword) value = keyword.value;
    used.add(param.name);
    if (!value) {
      value = param.defaultValue
        ? evaluate(interp, param.defaultValue, fn.closure)
        : unknown(args.opaque ? `argument \`${param.name}\`: ${args.opaque}` : `argument \`${param.name}\` of ${fn.name}() was not given`);
    }
    scope.vars.set(param.name, value);
  }
};

export const executeFunctionBody = (interp: Interpreter, fn: FunctionValue, scope: Scope): Value => {
  const body = childrenOf(fn.node).find((child) => child.name === "Body");
  if (!body) return NONE;
  const completion = executeBlock(interp, body, scope);
  if (completion.kind === "return") return completion.value;
  if (completion.kind === "raise") return unknown(`${fn.name}() raises`);
  return NONE;
};

// ---- control flow -------------------------------------------------------------------------

/** Runs `body` with effects withheld, then forgets every name it assigned. */
const speculate = (interp: Interpreter, reason: string, body: () => void): void => {
  const saved = interp.speculative;
  interp.speculative = saved ?? reason;
  const pending: SpeculativeWrites = { writes: [] };
  interp.speculativeWrites.push(pending);
  try {
    body();
  } finally {
    interp.speculativeWrites.pop();
    interp.speculative = saved;
    const outer = interp.speculativeWrites[interp.speculativeWrites.length - 1];
    for (const write of pending.writes) {
      write.vars.set(write.name, unknown(`\`${write.name}\` is assigned under a condition known only at run time (${reason})`));
      if (saved && outer) outer.writes.push(write);
    }
  }
};

const conditionReason = (scope: Scope, node: SyntaxNode, value: Value): string => {
  const site = siteOf(scope, node);
  return `\`${textOf(scope, node)}\` at ${site.file}:${site.line}${value.kind === "unknown" ? `: ${value.reason}` : ""}`;
};

const executeIf = (interp: Interpreter, node: SyntaxNode, scope: Scope): Completion => {
  const children = childrenOf(node);
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (!child) continue;
    if (child.name === "else") {
      const body = children[i + 1];
      return body ? executeBlock(interp, body, scope) : NORMAL;
    }
    if (child.name !== "if" && child.name !== "elif") continue;
    const condition = children[i + 1];
    const body = children[i + 2];
    if (!condition || !body) return NORMAL;
    const value = evaluate(interp, condition, scope);
    const truth = truthiness(value);
    if (truth === true) return executeBlock(interp, body, scope);
    if (truth === null) {
      const rest = children.slice(i + 2).filter((item) => item.name === "Body");
      speculate(interp, conditionReason(scope, condition, value), () => {
        for (const branch of rest) executeBlock(interp, branch, scope);
      });
      return NORMAL;
    }
    i += 2;
  }
  return NORMAL;
};

const executeFor = (interp: Interpreter, node: SyntaxNode, scope: Scope): Completion => {
  const children = childrenOf(node);
  const inIndex = children.findIndex((child) => child.name === "in");
  const targets = children.slice(0, inIndex).filter((child) => child.name !== "for" && child.name !== "async" && child.name !== ",");
  const iterableNode = children[inIndex + 1];
  const bodies = children.filter((child) => child.name === "Body");
  const [body, elseBody] = bodies;
  if (!iterableNode || !body) return NORMAL;
  const iterable = evaluate(interp, iterableNode, scope);
  const items = iterable.kind === "seq" ? iterable.items : iterable.kind === "dict" ? [...iterable.entries.keys()].map((key): Value => ({ kind: "str", value: key })) : null;
  if (!items || items.length > MAX_LOOP_ITERATIONS) {
    const reason = `loop over ${conditionReason(scope, iterableNode, iterable)}`;
    speculate(interp, reason, () => {
      unpack(interp, targets, unknown(reason), scope);
      executeBlock(interp, body, scope);
      if (elseBody) executeBlock(interp, elseBody, scope);
    });
    return NORMAL;
  }
  for (const item of items) {
    unpack(interp, targets, item, scope);
    const completion = executeBlock(interp, body, scope);
    if (completion.kind === "break") return NORMAL;
    if (completion.kind === "return" || completion.kind === "raise") return completion;
  }
  return elseBody ? executeBlock(interp, elseBody, scope) : NORMAL;
};

const executeWhile = (interp: Interpreter, node: SyntaxNode, scope: Scope): Completion => {
  const condition = childrenOf(node)[1];
  const bodies = childrenOf(node).filter((child) => child.name === "Body");
  if (!condition) return NORMAL;
  const value = evaluate(interp, condition, scope);
  if (truthiness(value) === false) return bodies[1] ? executeBlock(interp, bodies[1], scope) : NORMAL;
  speculate(interp, `loop \`while ${conditionReason(scope, condition, value)}\``, () => {
    for (const body of bodies) executeBlock(interp, body, scope);
  });
  return NORMAL;
};

const executeTry = (interp: Interpreter, node: SyntaxNode, scope: Scope): Completion => {
  // The happy path: the try body, then else, then finally; handlers are assumed not to run.
  const children = childrenOf(node);
  const bodyAfter = (keyword: string) => {
    const index = children.findIndex((child) => child.name === keyword);
    return index < 0 ? null : (children.slice(index + 1).find((child) => child.name === "Body") ?? null);
  };
  const tryBody = bodyAfter("try");
  let completion: Completion = tryBody ? executeBlock(interp, tryBody, scope) : NORMAL;
  if (completion.kind === "raise") completion = NORMAL;
  const elseBody = bodyAfter("else");
  if (completion.kind === "normal" && elseBody) completion = executeBlock(interp, elseBody, scope);
  const finallyBody = bodyAfter("finally");
  if (finallyBody) {
    const after = executeBlock(interp, finallyBody, scope);
    if (after.kind !== "normal") return after;
  }
  return completion;
};

const executeWith = (interp: Interpreter, node: SyntaxNode, scope: Scope): Completion => {
  const children = childrenOf(node);
  children.forEach((child, index) => {
    if (child.name === "as") {
      const target = children[index + 1];
      if (target) assignTarget(interp, target, unknown("context manager value"), scope);
    }
  });
  const body = children.find((child) => child.name === "Body");
  return body ? executeBlock(interp, body, scope) : NORMAL;
};
