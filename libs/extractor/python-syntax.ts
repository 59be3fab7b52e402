// Structured views over lezer's flat node sequences (parameter lists, call arguments,
// import statements, decorators), so the interpreter never walks raw tokens itself.
import type { SyntaxNode } from "./python-parser.ts";
import { childrenOf } from "./python-parser.ts";

export interface ParamSyntax {
  readonly name: string;
  readonly kind: "positional" | "keyword-only" | "var-positional" | "var-keyword";
  readonly annotation: SyntaxNode | null;
  readonly defaultValue: SyntaxNode | null;
}

export const parseParams = (paramList: SyntaxNode | null, text: (node: SyntaxNode) => string): ParamSyntax[] => {
  if (!paramList) return [];
  const params: Array<{ -readonly [K in keyof ParamSyntax]: ParamSyntax[K] }> = [];
  let keywordOnly = false;
  let pendingStar: "*" | "**" | null = null;
  let expectDefault = false;
  for (const child of childrenOf(paramList)) {
    const last = params[params.length - 1];
    if (child.name === "VariableName") {
      const kind = pendingStar === "*" ? "var-positional" : pendingStar === "**" ? "var-keyword" : keywordOnly ? "keyword-only" : "positional";
      if (pendingStar === "*") keywordOnly = true;
      pendingStar = null;
      if (expectDefault && last) {
        last.defaultValue = child;
        expectDefault = false;
      } else {
        params.push({ name: text(child), kind, annotation: null, defaultValue: null });
      }
    } else if (child.name === "TypeDef" && last) {
      last.annotation = lastChild(child);
    } else if (child.name === "AssignOp") {
      expectDefault = true;
    } else if (child.name === "*" || child.name === "**") {
      pendingStar = child.name;
    } else if (child.name === ",") {
      if (pendingStar === "*") keywordOnly = true; // bare `*`: the rest are keyword-only
      pendingStar = null;
      expectDefault = false;
    } else if (expectDefault && last && child.name !== "(" && child.name !== ")") {
      last.defaultValue = child;
      expectDefault = false;
    }
  }
  return params;
};

const lastChild = (node: SyntaxNode): SyntaxNode | null => {
  const children = childrenOf(node).filter((child) => child.name !== ":" && child.name !== "->");
  return children[children.length - 1] ?? null;
};

export interface ArgSyntax {
  readonly keyword: string | null;
  readonly star: "" | "*" | "**";
  readonly node: SyntaxNode;
}

export const parseArgs = (argList: SyntaxNode, text: (node: SyntaxNode) => string): ArgSyntax[] => {
  const args: ArgSyntax[] = [];
  const children = childrenOf(argList).filter((child) => !["(", ")", ","].includes(child.name));
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (!child) continue;
    const next = children[i + 1];
    if (child.name === "VariableName" && next?.name === "AssignOp") {
      const value = children[i + 2];
      if (value) args.push({ keyword: text(child), star: "", node: value });
      i += 2;
    } else if (child.name === "*" || child.name === "**") {
      if (next) args.push({ keyword: null, star: child.name, node: next });
      i += 1;
    } else {
      args.push({ keyword: null, star: "", node: child });
    }
  }
  return args;
};

export interface ImportedName {
  readonly name: string;
  readonly alias: string | null;
}

export type ImportSyntax =
  | { readonly kind: "import"; readonly modules: ReadonlyArray<ImportedName> }
  | { readonly kind: "from"; readonly level: number; readonly module: string; readonly names: ReadonlyArray<ImportedName> | "*" };

export const parseImport = (node: SyntaxNode, text: (node: SyntaxNode) => string): ImportSyntax => {
  const children = childrenOf(node);
  const isFrom = children[0]?.name === "from";
  if (!isFrom) {
    const modules: ImportedName[] = [];
    let dotted: string[] = [];
    let alias: string | null = null;
    let expectAlias = false;
    const flush = () => {
      if (dotted.length > 0) modules.push({ name: dotted.join("."), alias });
      dotted = [];
      alias = null;
    };
    for (const child of children.slice(1)) {
      if (child.name === "VariableName") {
        if (expectAlias) alias = text(child);
        else dotted.push(text(child));
        expectAlias = false;
      } else if (child.name === "as") expectAlias = true;
      else if (child.name === ",") flush();
    }
    flush();
    return { kind: "import", modules };
  }
  let level = 0;
  const moduleParts: string[] = [];
  let index = 1;
  for (; index < children.length; index++) {
    const child = children[index];
    if (!child || child.name === "import") break;
    if (child.name === "." && moduleParts.length === 0) level += 1;
    else if (child.name === "Ellipsis") level += 3;
    else if (child.name === "VariableName") moduleParts.push(text(child));
  }
  const rest = children.slice(index + 1);
  if (rest.some((child) => child.name === "*")) return { kind: "from", level, module: moduleParts.join("."), names: "*" };
  const names: ImportedName[] = [];
  let expectAlias = false;
  for (const child of rest) {
    if (child.name === "VariableName") {
      const last = names[names.length - 1];
      if (expectAlias && last) names[names.length - 1] = { name: last.name, alias: text(child) };
      else names.push({ name: text(child), alias: null });
      expectAlias = false;
    } else if (child.name === "as") expectAlias = true;
  }
  return { kind: "from", level, module: moduleParts.join("."), names };
};

/**
 * A decorator: its expression, and when that is a dotted name with optional call arguments
 * (`@app.get("/x")`, the common case) the name parts and the argument list.
 */
export interface DecoratorSyntax {
  readonly expression: SyntaxNode;
  readonly names: ReadonlyArray<SyntaxNode>;
  readonly argList: SyntaxNode | null;
}

// PEP 614: any expression may follow `@`; only dotted names (called or not) get `names`.
export const parseDecorator = (decorator: SyntaxNode): DecoratorSyntax | null => {
  const expression = childrenOf(decorator).find((child) => child.name !== "At") ?? null;
  if (!expression) return null;
  const callee = expression.name === "CallExpression" ? expression.firstChild : expression;
  const argList = expression.name === "CallExpression" ? (expression.lastChild?.name === "ArgList" ? expression.lastChild : null) : null;
  const names = callee ? dottedParts(callee) : null;
  return { expression, names: names ?? [], argList: names ? argList : null };
};

const dottedParts = (node: SyntaxNode): SyntaxNode[] | null => {
  if (node.name === "VariableName") return [node];
  if (node.name !== "MemberExpression") return null;
  const [object, dot, property] = childrenOf(node);
  if (!object || dot?.name !== "." || property?.name !== "PropertyName") return null;
  const head = dottedParts(object);
  return head ? [...head, property] : null;
};
