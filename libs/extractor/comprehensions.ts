// List, set, dict and generator comprehensions over values known statically, in a scope of their
// own as Python gives them (settings code filters the environment this way:
// `{k: v for k, v in values.items() if v is not None}`). Every item costs a step, and what they
// build counts against the size budget; an iterable or condition only known at run time makes the
// whole result unknown.
import { evaluate, truthiness } from "./evaluate.ts";
import { siteOf, textOf, toText } from "./evaluate.ts";
import { unpack } from "./execute.ts";
import type { Interpreter } from "./interpreter.ts";
import { countStep, mayBuild } from "./interpreter.ts";
import type { SyntaxNode } from "./python-parser.ts";
import { significantChildren } from "./python-parser.ts";
import type { Scope, Value } from "./values.ts";
import { str, unknown } from "./values.ts";

type Clause = { readonly kind: "for"; readonly targets: SyntaxNode[]; readonly iterable: SyntaxNode } | { readonly kind: "if"; readonly condition: SyntaxNode };


const clausesOf = (children: SyntaxNode[]): Clause[] | null => {
  const clauses: Clause[] = [];
  for (let i = 0; i < children.length; ) {
    const child = children[i] as SyntaxNode;
    if (child.name === "if") {
      const condition = children[i + 1];
      if (!condition) return null;
      clauses.push({ kind: "if", condition });
      i += 2;
    } else if (child.name === "for") {
      const inAt = children.findIndex((candidate, index) => index > i && candidate.name === "in");
      const iterable = children[inAt + 1];
      if (inAt < 0 || !iterable) return null;
      clauses.push({ kind: "for", targets: children.slice(i + 1, inAt), iterable });
      i = inAt + 2;
    } else return null; // `async for`, or something this reader does not know
  }
  return clauses;
};

const itemsOf = (value: Value): ReadonlyArray<Value> | null =>
  value.kind === "seq" ? value.items : value.kind === "dict" ? [...value.entries.keys()].map((key) => str(key)) : null;

export const evaluateComprehension = (interp: Interpreter, node: SyntaxNode, outer: Scope): Value => {
  const site = siteOf(outer, node);
  const where = `comprehension at ${site.file}:${site.line}`;
  const children = significantChildren(node);
  const firstFor = children.findIndex((child) => child.name === "for" || child.name === "async");
  const element = children.slice(0, firstFor);
  const clauses = firstFor < 0 ? null : clausesOf(children.slice(firstFor));
  const isDict = node.name === "DictionaryComprehensionExpression";
  if (!clauses || element.length !== (isDict ? 2 : 1)) return unknown(`${where} is not read statically`);
  const scope: Scope = { vars: new Map(), parent: outer, module: outer.module };
  const items: Value[] = [];
  const entries = new Map<string, Value>();
  let problem: string | null = null;

  const run = (index: number): void => {
    if (problem !== null) return;
    const clause = clauses[index];
    if (!clause) {
      countStep(interp);
      if (isDict) {
        const key = toText(evaluate(interp, element[0] as SyntaxNode, scope));
        if (key === null) problem = `${where} builds a key not known statically`;
        else entries.set(key, evaluate(interp, element[1] as SyntaxNode, scope));
      } else items.push(evaluate(interp, element[0] as SyntaxNode, scope));
      if (!mayBuild(interp, "container", items.length + entries.size, site)) problem = `${where} builds a value over the size budget`;
      return;
    }
    if (clause.kind === "if") {
      const truth = truthiness(evaluate(interp, clause.condition, scope));
      if (truth === null) problem = `${where}: \`${textOf(scope, clause.condition)}\` depends on run-time state`;
      else if (truth) run(index + 1);
      return;
    }
    const iterable = evaluate(interp, clause.iterable, scope);
    const values = itemsOf(iterable);
    if (!values) {
      problem = `${where} iterates over \`${textOf(scope, clause.iterable)}\`, only known at run time`;
      return;
    }
    for (const value of values) {
      if (problem !== null) return;
      countStep(interp);
      unpack(interp, clause.targets, value, scope);
      run(index + 1);
    }
  };
  run(0);
  if (problem !== null) return unknown(problem);
  return isDict ? { kind: "dict", entries } : { kind: "seq", items };
};
