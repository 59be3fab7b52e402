// Evaluation of Python expressions to abstract values: constants, names, attribute access,
// string concatenation and formatting, containers, calls (delegated to calls.ts).
import { callValue, evaluateArgs, getAttribute } from "./calls.ts";
import { evaluateComprehension } from "./comprehensions.ts";
import type { Interpreter } from "./interpreter.ts";
import { mayBuild, reportBudget } from "./interpreter.ts";
import type { SyntaxNode } from "./python-parser.ts";
import { childrenOf, significantChildren } from "./python-parser.ts";
import { splitStringToken, unescapeFormatLiteral, unescapePython } from "./python-strings.ts";
import type { Scope, Site, Value } from "./values.ts";
import { NONE, str, unknown } from "./values.ts";

export const siteOf = (scope: Scope, node: SyntaxNode): Site => ({
  file: scope.module.file ?? scope.module.name,
  line: scope.module.parsed?.lineOf(node.from) ?? 1,
});

export const textOf = (scope: Scope, node: SyntaxNode): string => scope.module.parsed?.text(node) ?? "";

const BUILTINS = new Set([
  "str", "int", "float", "bool", "len", "list", "dict", "tuple", "set", "getattr", "setattr", "hasattr", "print",
  "super", "isinstance", "issubclass", "staticmethod", "classmethod", "property", "range", "enumerate", "zip",
  "sorted", "reversed", "open", "type", "object", "repr", "min", "max", "sum", "any", "all", "map", "filter",
  "Exception", "ValueError", "RuntimeError", "ImportError", "KeyError", "TypeError", "NotImplementedError",
]);

export const lookupName = (scope: Scope, name: string): Value => {
  for (let current: Scope | null = scope; current; current = current.parent) {
    const value = current.vars.get(name);
    if (value) return value;
  }
  if (BUILTINS.has(name)) return { kind: "external", name: `builtins.${name}` };
  if (name === "__file__") return str(scope.module.file ?? "");
  const module = scope.module;
  return unknown(
    module.status === "running" && module.scope.parent === null
      ? `\`${name}\` is not defined at this point of ${module.file ?? module.name}`
      : `\`${name}\` is not defined`,
  );
};

export const evaluate = (interp: Interpreter, node: SyntaxNode, scope: Scope): Value => {
  if (interp.nesting >= interp.budgets.nesting) {
    reportBudget(interp, "nesting", siteOf(scope, node));
    return unknown(`expression nested too deeply at ${siteText(scope, node)}`);
  }
  interp.nesting += 1;
  try {
    return evaluateNode(interp, node, scope);
  } finally {
    interp.nesting -= 1;
  }
};

const evaluateNode = (interp: Interpreter, node: SyntaxNode, scope: Scope): Value => {
  switch (node.name) {
    case "String": {
      const token = textOf(scope, node);
      return mayBuild(interp, "string", token.length, siteOf(scope, node)) ? stringLiteral(token) : unknown(`string literal too large at ${siteText(scope, node)}`);
    }
    case "FormatString":
      return formatString(interp, node, scope);
    case "ContinuedString":
      return concatenate(childrenOf(node).map((part) => evaluate(interp, part, scope)));
    case "Number":
      return numberLiteral(textOf(scope, node));
    case "Boolean":
      return { kind: "bool", value: textOf(scope, node) === "True" };
    case "None":
      return NONE;
    case "VariableName":
      return lookupName(scope, textOf(scope, node));
    case "ParenthesizedExpression": {
      const inner = significantChildren(node)[0];
      return inner ? evaluate(interp, inner, scope) : { kind: "seq", items: [] };
    }
    case "TupleExpression":
    case "ArrayExpression":
    case "SetExpression":
      return sequence(interp, node, scope);
    case "DictionaryExpression":
      return dictionary(interp, node, scope);
    case "ArrayComprehensionExpression":
    case "SetComprehensionExpression":
    case "DictionaryComprehensionExpression":
    case "ComprehensionExpression":
      return evaluateComprehension(interp, node, scope);
    case "MemberExpression":
      return member(interp, node, scope);
    case "CallExpression": {
      const [callee, argList] = significantChildren(node);
      if (!callee || !argList) return unknown(`unsupported call at ${siteText(scope, node)}`);
      const calleeValue = evaluate(interp, callee, scope);
      return callValue(interp, calleeValue, evaluateArgs(interp, argList, scope), siteOf(scope, node), textOf(scope, callee));
    }
    case "BinaryExpression":
      return binary(interp, node, scope);
    case "UnaryExpression":
      return unary(interp, node, scope);
    case "ConditionalExpression": {
      const [whenTrue, , condition, , whenFalse] = childrenOf(node);
      if (!whenTrue || !condition || !whenFalse) return unknown("incomplete conditional expression");
      const truth = truthiness(evaluate(interp, condition, scope));
      if (truth === null) return unknown(`conditional expression at ${siteText(scope, node)} depends on run-time state`);
      return evaluate(interp, truth ? whenTrue : whenFalse, scope);
    }
    default:
      return unknown(`${describeNode(node)} at ${siteText(scope, node)} is only known at run time`);
  }
};

const siteText = (scope: Scope, node: SyntaxNode): string => {
  const site = siteOf(scope, node);
  return `${site.file}:${site.line}`;
};

const describeNode = (node: SyntaxNode): string => node.name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

const stringLiteral = (token: string): Value => {
  const parts = splitStringToken(token);
  if (!parts) return unknown("unreadable string literal");
  return str(unescapePython(parts.body, parts.prefix.includes("r")));
};

const formatString = (interp: Interpreter, node: SyntaxNode, scope: Scope): Value => {
  const token = textOf(scope, node);
  const parts = splitStringToken(token);
  if (!parts) return unknown("unreadable f-string");
  const raw = parts.prefix.includes("r");
  const bodyStart = node.from + parts.bodyOffset;
  const bodyEnd = bodyStart + parts.body.length;
  let out = "";
  let cursor = bodyStart;
  for (const replacement of childrenOf(node)) {
    if (replacement.name !== "FormatReplacement") continue;
    out += unescapeFormatLiteral(token.slice(cursor - node.from, replacement.from - node.from), raw);
    const inner = childrenOf(replacement).filter((child) => child.name !== "{" && child.name !== "}");
    const expression = inner[0];
    if (!expression || inner.some((child) => child.name === "FormatSpec" || child.name === "FormatSelfDoc")) {
      return unknown(`f-string with a format spec at ${siteText(scope, node)}`);
    }
    const value = evaluate(interp, expression, scope);
    const conversion = inner.find((child) => child.name === "FormatConversion");
    const text = conversion && textOf(scope, conversion) !== "!s" ? null : toText(value);
    if (text === null) {
      return unknown(`f-string part \`${textOf(scope, expression)}\` at ${siteText(scope, node)}: ${reasonOf(value)}`);
    }
    out += text;
    cursor = replacement.to;
  }
  out += unescapeFormatLiteral(token.slice(cursor - node.from, bodyEnd - node.from), raw);
  return str(out);
};

export const reasonOf = (value: Value): string =>
  value.kind === "unknown" ? value.reason : `it is ${value.kind === "str" ? "a string" : "not a string"}`;

/** str(value) for the values whose text is known. */
export const toText = (value: Value): string | null => {
  switch (value.kind) {
    case "str":
      return value.value;
    case "num":
      return String(value.value);
    case "bool":
      return value.value ? "True" : "False";
    case "none":
      return "None";
    default:
      return null;
  }
};

const concatenate = (values: Value[]): Value => {
  let out = "";
  for (const value of values) {
    if (value.kind !== "str") return value.kind === "unknown" ? value : unknown("implicit concatenation of non-strings");
    out += value.value;
  }
  return str(out);
};

const numberLiteral = (token: string): Value => {
  const clean = token.replace(/_/g, "").toLowerCase();
  if (/^0[xob]/.test(clean)) return { kind: "num", value: Number(clean) };
  if (/[jl]$/.test(clean)) return unknown("complex number");
  const value = Number(clean);
  return Number.isNaN(value) ? unknown(`number ${token}`) : { kind: "num", value };
};

const sequence = (interp: Interpreter, node: SyntaxNode, scope: Scope): Value => {
  const items: Value[] = [];
  const children = significantChildren(node);
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (!child) continue;
    if (child.name === "*") {
      const spread = children[i + 1];
      const value = spread ? evaluate(interp, spread, scope) : unknown("bad starred item");
      if (value.kind !== "seq") return unknown(`starred item at ${siteText(scope, child)}: ${reasonOf(value)}`);
      if (!mayBuild(interp, "container", items.length + value.items.length, siteOf(scope, child))) return unknown(`list too large at ${siteText(scope, child)}`);
      for (const item of value.items) items.push(item);
      i += 1;
    } else if (child.name === "for" || child.name === "async") {
      return unknown(`comprehension at ${siteText(scope, node)}`);
    } else {
      items.push(evaluate(interp, child, scope));
    }
  }
  if (!mayBuild(interp, "container", items.length, siteOf(scope, node))) return unknown(`list too large at ${siteText(scope, node)}`);
  return { kind: "seq", items };
};

const dictionary = (interp: Interpreter, node: SyntaxNode, scope: Scope): Value => {
  const entries = new Map<string, Value>();
  const children = significantChildren(node);
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (!child) continue;
    if (child.name === "**") {
      const spread = children[i + 1];
      const value = spread ? evaluate(interp, spread, scope) : unknown("bad ** item");
      if (value.kind !== "dict") return unknown(`** item at ${siteText(scope, child)}: ${reasonOf(value)}`);
      if (!mayBuild(interp, "container", entries.size + value.entries.size, siteOf(scope, child))) return unknown(`dict too large at ${siteText(scope, child)}`);
      for (const [key, item] of value.entries) entries.set(key, item);
      i += 1;
      continue;
    }
    const valueNode = children[i + 1];
    if (!valueNode || child.name === "for") return unknown(`dict comprehension at ${siteText(scope, node)}`);
    const key = toText(evaluate(interp, child, scope));
    if (key === null) return unknown(`dict with a computed key at ${siteText(scope, child)}`);
    entries.set(key, evaluate(interp, valueNode, scope));
    i += 1;
  }
  if (!mayBuild(interp, "container", entries.size, siteOf(scope, node))) return unknown(`dict too large at ${siteText(scope, node)}`);
  return { kind: "dict", entries };
};

const member = (interp: Interpreter, node: SyntaxNode, scope: Scope): Value => {
  const children = childrenOf(node);
  const objectNode = children[0];
  if (!objectNode) return unknown("bad member expression");
  const object = evaluate(interp, objectNode, scope);
  const property = children.find((child) => child.name === "PropertyName");
  if (property && children[1]?.name === ".") return getAttribute(interp, object, textOf(scope, property), siteOf(scope, node));
  const indexNode = children[2];
  if (!indexNode) return unknown("bad subscript");
  const index = evaluate(interp, indexNode, scope);
  if (object.kind === "seq" && index.kind === "num") {
    const position = index.value < 0 ? object.items.length + index.value : index.value;
    return object.items[position] ?? unknown(`index ${index.value} out of range at ${siteText(scope, node)}`);
  }
  if (object.kind === "dict") {
    const key = toText(index);
    const found = key === null ? undefined : object.entries.get(key);
    if (found) return found;
  }
  if (object.kind === "unknown") return object;
  return unknown(`subscript \`${textOf(scope, node)}\` at ${siteText(scope, node)}`);
};

const binary = (interp: Interpreter, node: SyntaxNode, scope: Scope): Value => {
  const children = childrenOf(node);
  const left = children[0];
  const right = children[children.length - 1];
  if (!left || !right || children.length < 3) return unknown("bad binary expression");
  const operator = children.slice(1, -1).map((child) => textOf(scope, child)).join(" ");
  const leftValue = evaluate(interp, left, scope);
  if (operator === "and" || operator === "or") {
    const truth = truthiness(leftValue);
    if (truth === null) return unknown(`\`${textOf(scope, node)}\` at ${siteText(scope, node)} depends on run-time state`);
    if (operator === "and" ? !truth : truth) return leftValue;
    return evaluate(interp, right, scope);
  }
  const rightValue = evaluate(interp, right, scope);
  const size = resultSize(operator, leftValue, rightValue);
  if (size && !mayBuild(interp, size.kind, size.size, siteOf(scope, node))) return unknown(`\`${textOf(scope, node)}\` at ${siteText(scope, node)} builds a value over the size budget`);
  return applyOperator(operator, leftValue, rightValue) ?? unknown(
    `\`${textOf(scope, node)}\` at ${siteText(scope, node)}: ${leftValue.kind === "unknown" ? leftValue.reason : rightValue.kind === "unknown" ? rightValue.reason : "unsupported operation"}`,
  );
};

/** How big the value an operator is about to build will be, when it builds one that grows. */
const resultSize = (operator: string, left: Value, right: Value): { kind: "string" | "container"; size: number } | null => {
  if (operator === "+" && left.kind === "str" && right.kind === "str") return { kind: "string", size: left.value.length + right.value.length };
  if (operator === "+" && left.kind === "seq" && right.kind === "seq") return { kind: "container", size: left.items.length + right.items.length };
  if (operator === "%" && left.kind === "str") {
    const items = right.kind === "seq" ? right.items : [right];
    return { kind: "string", size: left.value.length + items.reduce((sum, item) => sum + (toText(item)?.length ?? 0), 0) };
  }
  return null;
};

export const applyOperator = (operator: string, left: Value, right: Value): Value | null => {
  if (left.kind === "unknown") return left;
  if (right.kind === "unknown") return right;
  if (operator === "+") {
    if (left.kind === "str" && right.kind === "str") return str(left.value + right.value);
    if (left.kind === "num" && right.kind === "num") return { kind: "num", value: left.value + right.value };
    if (left.kind === "seq" && right.kind === "seq") return { kind: "seq", items: [...left.items, ...right.items] };
    return null;
  }
  if (operator === "%" && left.kind === "str") return percentFormat(left.value, right);
  if (operator === "==" || operator === "!=" || operator === "is" || operator === "is not") {
    const equal = primitiveEquals(left, right);
    if (equal === null) return null;
    return { kind: "bool", value: operator === "==" || operator === "is" ? equal : !equal };
  }
  if ((operator === "in" || operator === "not in") && right.kind === "dict" && left.kind === "str") {
    return { kind: "bool", value: right.entries.has(left.value) === (operator === "in") };
  }
  if ((operator === "in" || operator === "not in") && right.kind === "seq") {
    const found = right.items.some((item) => primitiveEquals(item, left) === true);
    return { kind: "bool", value: operator === "in" ? found : !found };
  }
  return null;
};

const primitiveEquals = (left: Value, right: Value): boolean | null => {
  if (left.kind === "none" || right.kind === "none") return left.kind === right.kind;
  if ((left.kind === "str" || left.kind === "num" || left.kind === "bool") && left.kind === right.kind) {
    return left.value === right.value;
  }
  if (left.kind === "str" && (right.kind === "num" || right.kind === "bool")) return false;
  return null;
};

const percentFormat = (template: string, argument: Value): Value | null => {
  const items = argument.kind === "seq" ? argument.items : [argument];
  let index = 0;
  let failed = false;
  const out = template.replace(/%([sdr%])/g, (_, code: string) => {
    if (code === "%") return "%";
    const text = toText(items[index++] ?? { kind: "unknown", reason: "" });
    if (text === null) failed = true;
    return text ?? "";
  });
  return failed || index !== items.length ? null : str(out);
};

const unary = (interp: Interpreter, node: SyntaxNode, scope: Scope): Value => {
  const [operator, operand] = childrenOf(node);
  if (!operator || !operand) return unknown("bad unary expression");
  const value = evaluate(interp, operand, scope);
  const op = textOf(scope, operator);
  if (op === "not") {
    const truth = truthiness(value);
    return truth === null ? unknown(`\`${textOf(scope, node)}\` depends on run-time state`) : { kind: "bool", value: !truth };
  }
  if (op === "-" && value.kind === "num") return { kind: "num", value: -value.value };
  if (op === "+" && value.kind === "num") return value;
  return value.kind === "unknown" ? value : unknown(`\`${textOf(scope, node)}\` at ${siteText(scope, node)}`);
};

/** Python truthiness, or null when the value is not known statically. */
export const truthiness = (value: Value): boolean | null => {
  switch (value.kind) {
    case "str":
      return value.value.length > 0;
    case "num":
      return value.value !== 0;
    case "bool":
      return value.value;
    case "none":
      return false;
    case "seq":
      return value.items.length > 0;
    case "dict":
      return value.entries.size > 0;
    case "external":
      return value.name === "typing.TYPE_CHECKING" ? false : null;
    case "unknown":
      return null;
    default:
      return true;
  }
};
