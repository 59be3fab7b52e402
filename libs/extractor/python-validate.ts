// The rules CPython 3.13 enforces beyond its context-free grammar, checked over a lezer tree
// that parsed without errors: what may be assigned, deleted or bound by `for`/`with`/`:=`;
// argument and parameter order; `try` clause structure; literal forms (numbers, string
// prefixes, escapes, bytes, f-string braces); identifier characters; and the tokenizer's
// indentation rules (unexpected indent, unindent mismatch, tabs vs spaces). Each message
// follows CPython's wording so a user recognises it.
import type { NodeType, SyntaxNode, Tree } from "@lezer/common";

export interface SyntaxProblem {
  readonly pos: number;
  readonly message: string;
}

const childrenOf = (node: SyntaxNode): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.name !== "Comment") out.push(child);
  return out;
};

const SEPARATORS = new Set([",", "(", ")", "[", "]"]);

/** What CPython calls an expression in its "cannot assign to ..." messages. */
const describe = (node: SyntaxNode): string => {
  switch (node.name) {
    case "CallExpression":
      return "function call";
    case "Number":
    case "String":
    case "FormatString":
    case "ContinuedString":
      return "literal";
    case "None":
      return "None";
    case "Boolean":
      return "True/False";
    case "Ellipsis":
      return "ellipsis";
    case "ConditionalExpression":
      return "conditional expression";
    case "LambdaExpression":
      return "lambda";
    case "YieldExpression":
      return "yield expression";
    case "AwaitExpression":
      return "await expression";
    case "NamedExpression":
      return "named expression";
    case "ComprehensionExpression":
      return "generator expression";
    case "ArrayComprehensionExpression":
      return "list comprehension";
    case "DictionaryExpression":
      return "dict literal";
    case "DictionaryComprehensionExpression":
      return "dict comprehension";
    case "SetExpression":
      return "set display";
    case "SetComprehensionExpression":
      return "set comprehension";
    case "BinaryExpression":
    case "UnaryExpression":
      return /^(?:not|and|or)\b/.test(node.name) ? "expression" : "expression";
    default:
      return "expression";
  }
};

export const validatePython = (tree: Tree, source: string, limit: number): SyntaxProblem[] => {
  const problems: SyntaxProblem[] = [];
  const report = (pos: number, message: string): void => {
    if (problems.length < limit) problems.push({ pos, message });
  };
  const text = (node: SyntaxNode): string => source.slice(node.from, node.to);

  // ---- targets ------------------------------------------------------------------------------
  type TargetKind = "assign" | "delete" | "augmented" | "annotated";
  const checkTarget = (node: SyntaxNode, kind: TargetKind, starAllowed: boolean): void => {
    switch (node.name) {
      case "VariableName":
        return;
      case "MemberExpression": {
        const kids = childrenOf(node);
        if (kids.length > 1) return; // attribute or subscript
        return;
      }
      case "ParenthesizedExpression": {
        const inner = childrenOf(node).filter((child) => !SEPARATORS.has(child.name));
        if (inner.some((child) => child.name === "*")) return report(node.from, "cannot use starred expression here");
        const [only] = inner;
        if (only) checkTarget(only, kind, false);
        return;
      }
      case "TupleExpression":
      case "ArrayExpression": {
        if (kind === "augmented") return report(node.from, `'${node.name === "TupleExpression" ? "tuple" : "list"}' is an illegal expression for augmented assignment`);
        if (kind === "annotated") return report(node.from, "only single target (not tuple) can be annotated");
        checkTargetList(childrenOf(node).filter((child) => !SEPARATORS.has(child.name)), kind);
        return;
      }
      default:
        if (kind === "augmented") return report(node.from, `'${describe(node)}' is an illegal expression for augmented assignment`);
        report(node.from, `cannot ${kind === "delete" ? "delete" : "assign to"} ${describe(node)}`);
    }
    void starAllowed;
  };
  /** A flat comma list of targets (`a, *b, c.d`), starred items allowed except in `del`. */
  const checkTargetList = (items: SyntaxNode[], kind: TargetKind): void => {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!item) continue;
      if (item.name === "*") {
        if (kind === "delete") report(item.from, "cannot delete starred");
        continue;
      }
      checkTarget(item, kind, true);
    }
  };
  const targetGroups = (children: SyntaxNode[], separator: (node: SyntaxNode) => boolean): SyntaxNode[][] => {
    const groups: SyntaxNode[][] = [[]];
    for (const child of children) {
      if (separator(child)) groups.push([]);
      else if (child.name !== ",") groups[groups.length - 1]?.push(child);
    }
    return groups;
  };

  const checkAssign = (node: SyntaxNode): void => {
    const children = childrenOf(node);
    const typeDef = children.findIndex((child) => child.name === "TypeDef");
    if (typeDef >= 0) {
      const targets = children.slice(0, typeDef).filter((child) => child.name !== ",");
      if (targets.length !== 1 || children.slice(0, typeDef).some((child) => child.name === ",")) {
        report(node.from, "only single target (not tuple) can be annotated");
        return;
      }
      const [target] = targets;
      if (target) checkTarget(target, "annotated", false);
      return;
    }
    const groups = targetGroups(children, (child) => child.name === "AssignOp");
    for (const group of groups.slice(0, -1)) {
      if (group.length === 1 && group[0]?.name === "YieldExpression") {
        report(group[0].from, "assignment to yield expression not possible");
        continue;
      }
      checkTargetList(group, "assign");
    }
  };

  // ---- arguments and parameters ---------------------------------------------------------------
  const checkArgs = (argList: SyntaxNode, inClass: boolean): void => {
    const children = childrenOf(argList);
    let sawKeyword = false;
    let sawDoubleStar = false;
    let count = 0;
    let generator: SyntaxNode | null = null;
    let trailingComma = false;
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (!child || child.name === "(" || child.name === ")") continue;
      if (child.name === ",") {
        trailingComma = true;
        continue;
      }
      trailingComma = false;
      const next = children[i + 1];
      count += 1;
      if (child.name === "**") {
        sawDoubleStar = true;
        i += 1;
      } else if (child.name === "*") {
        if (sawDoubleStar) report(child.from, "iterable argument unpacking follows keyword argument unpacking");
        i += 1;
      } else if (child.name === "VariableName" && next?.name === "AssignOp" && text(next) === "=") {
        sawKeyword = true;
        i += 2;
        if (children[i + 1]?.name === "for" || children[i + 1]?.name === "async") generator = child;
      } else {
        if (sawDoubleStar) report(child.from, "positional argument follows keyword argument unpacking");
        else if (sawKeyword) report(child.from, "positional argument follows keyword argument");
        if (next?.name === "VariableName" && children[i + 2]?.name === "AssignOp" && text(children[i + 2] as SyntaxNode) === ":=") i += 2;
      }
      // A generator argument's `for` clauses follow it directly in lezer's flat argument list;
      // commas between `for` and `in` separate its targets, not arguments.
      let inTargets = false;
      while (children[i + 1] && (inTargets || (children[i + 1]?.name !== "," && children[i + 1]?.name !== ")"))) {
        const extra = children[i + 1] as SyntaxNode;
        if (extra.name === "for") {
          generator = generator ?? extra;
          inTargets = true;
        } else if (extra.name === "in") inTargets = false;
        i += 1;
      }
    }
    if (generator && (inClass || count > 1 || trailingComma)) report(generator.from, "Generator expression must be parenthesized");
  };

  const checkParams = (paramList: SyntaxNode, isLambda: boolean): void => {
    const children = childrenOf(paramList).filter((child) => child.name !== "(" && child.name !== ")");
    // `/` is not a tree node: find it in the gaps between children.
    type Param = { kind: "slash" | "star" | "starstar" | "name"; hasDefault: boolean; named: boolean; pos: number };
    const params: Param[] = [];
    let gapFrom = isLambda ? paramList.from : (childrenOf(paramList)[0]?.to ?? paramList.from);
    const scanGap = (to: number) => {
      const anySlash = source.indexOf("/", gapFrom);
      if (anySlash < 0 || anySlash >= to) return; // the common case: nothing to strip or find
      const gap = source.slice(gapFrom, to).replace(/#[^\n]*/g, "");
      const slash = gap.indexOf("/");
      if (slash >= 0) params.push({ kind: "slash", hasDefault: false, named: false, pos: gapFrom + slash });
    };
    for (let i = 0; i < children.length; i++) {
      const child = children[i] as SyntaxNode;
      scanGap(child.from);
      gapFrom = child.to;
      if (child.name === ",") continue;
      if (child.name === "*" || child.name === "**") {
        const name = children[i + 1]?.name === "VariableName" ? children[i + 1] : null;
        params.push({ kind: child.name === "*" ? "star" : "starstar", hasDefault: false, named: name !== null, pos: child.from });
        if (name) {
          i += 1;
          gapFrom = name.to;
          if (children[i + 1]?.name === "TypeDef") {
            i += 1;
            gapFrom = (children[i] as SyntaxNode).to;
          }
        }
        continue;
      }
      if (child.name === "VariableName") {
        params.push({ kind: "name", hasDefault: false, named: true, pos: child.from });
        continue;
      }
      if (child.name === "AssignOp") {
        const last = params[params.length - 1];
        if (last) last.hasDefault = true;
        const value = children[i + 1];
        if (value) {
          i += 1;
          gapFrom = value.to;
        }
      }
      // TypeDef and default values belong to the parameter before them.
    }
    scanGap(isLambda ? paramList.to : (childrenOf(paramList).at(-1)?.from ?? paramList.to));
    let sawSlash = false;
    let sawStar = false;
    let sawStarStar = false;
    let sawDefault = false;
    for (let i = 0; i < params.length; i++) {
      const param = params[i] as Param;
      if (sawStarStar) return report(param.pos, "arguments cannot follow var-keyword argument");
      if (param.kind === "slash") {
        if (sawSlash) return report(param.pos, "/ may appear only once");
        if (sawStar) return report(param.pos, "/ must be ahead of *");
        if (i === 0) return report(param.pos, "at least one argument must precede /");
        sawSlash = true;
      } else if (param.kind === "star") {
        if (sawStar) return report(param.pos, "* argument may appear only once");
        const next = params[i + 1];
        if (!param.named && (!next || next.kind !== "name")) return report(param.pos, "named arguments must follow bare *");
        sawStar = true;
      } else if (param.kind === "starstar") {
        sawStarStar = true;
      } else if (!sawStar) {
        if (param.hasDefault) sawDefault = true;
        else if (sawDefault) return report(param.pos, "parameter without a default follows parameter with a default");
      }
    }
  };

  // ---- statements ---------------------------------------------------------------------------
  const checkTry = (node: SyntaxNode): void => {
    const children = childrenOf(node);
    let plain = false;
    let star = false;
    let hasFinally = false;
    for (let i = 0; i < children.length; i++) {
      const child = children[i] as SyntaxNode;
      if (child.name === "finally") hasFinally = true;
      if (child.name === "else" && !plain && !star) report(child.from, "expected 'except' or 'finally' block");
      if (child.name !== "except") continue;
      const next = children[i + 1];
      if (next?.name === "*") {
        star = true;
        if (children[i + 2]?.name === "Body") report(next.from, "expected one or more exception types");
      } else plain = true;
      if (plain && star) report(child.from, "cannot have both 'except' and 'except*' on the same 'try'");
    }
    if (!plain && !star && !hasFinally) report(node.to, "expected 'except' or 'finally' block");
  };

  // ---- literals -----------------------------------------------------------------------------
  const checkNumber = (from: number, to: number): void => {
    const value = source.slice(from, to);
    if (/^0[0-9_]*$/.test(value) && !/^0(?:_?0)*$/.test(value)) {
      report(from, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers");
    }
  };

  const stringParts = (node: SyntaxNode): { prefix: string; quote: string; body: string; bodyFrom: number } | null => {
    // Matched in place (sticky, from the node's start) rather than on a copy of the literal.
    STRING_START.lastIndex = node.from;
    let match = STRING_START.exec(source);
    // A quote run crossing the node's end reads as it does on the literal alone.
    if (match && node.from + match[0].length > node.to) match = /^([A-Za-z]*)('''|"""|'|")/.exec(text(node));
    if (!match) return null;
    const prefix = (match[1] ?? "").toLowerCase();
    const quote = match[2] ?? "'";
    const bodyFrom = node.from + (match[0]?.length ?? 0);
    if (node.to - node.from < match[0].length + quote.length || !source.startsWith(quote, node.to - quote.length)) {
      report(node.from, quote.length === 3 ? "unterminated triple-quoted string literal" : "unterminated string literal");
      return null;
    }
    return { prefix, quote, body: source.slice(bodyFrom, node.to - quote.length), bodyFrom };
  };

  const checkString = (node: SyntaxNode): "bytes" | "text" | null => {
    const parts = stringParts(node);
    if (!parts) return null;
    const bytes = parts.prefix.includes("b");
    const raw = parts.prefix.includes("r");
    if (bytes && /[^\x00-\x7f]/.test(parts.body)) report(node.from, "bytes can only contain ASCII literal characters");
    if (!raw) checkEscapes(parts.body, parts.bodyFrom, bytes);
    return bytes ? "bytes" : "text";
  };

  const checkEscapes = (body: string, from: number, bytes: boolean): void => {
    for (let i = body.indexOf("\\"); i >= 0 && i < body.length; i = body.indexOf("\\", i)) {
      const kind = body[i + 1];
      const pos = from + i;
      if (kind === "x") {
        if (!/^[0-9a-fA-F]{2}/.test(body.slice(i + 2))) report(pos, "(unicode error) truncated \\xXX escape");
      } else if (!bytes && kind === "u") {
        if (!/^[0-9a-fA-F]{4}/.test(body.slice(i + 2))) report(pos, "(unicode error) truncated \\uXXXX escape");
      } else if (!bytes && kind === "U") {
        const digits = /^[0-9a-fA-F]{8}/.exec(body.slice(i + 2));
        if (!digits) report(pos, "(unicode error) truncated \\UXXXXXXXX escape");
        else if (Number.parseInt(digits[0], 16) > 0x10ffff) report(pos, "(unicode error) illegal Unicode character");
      } else if (!bytes && kind === "N") {
        if (!/^\{[^}]+\}/.test(body.slice(i + 2))) report(pos, "(unicode error) malformed \\N character escape");
      }
      i += 2;
    }
  };

  /** f-string literal text: a lone `}` is an error (`}}` is a brace); escapes as in strings. */
  const checkFormatString = (node: SyntaxNode): "text" | null => {
    const parts = stringParts(node);
    if (!parts) return null;
    const raw = parts.prefix.includes("r");
    let from = parts.bodyFrom;
    const literal = (to: number) => {
      const chunk = source.slice(from, to);
      const braces = raw ? chunk : chunk.replace(/\\N\{[^}]*\}/g, "");
      const lone = /(?:^|[^}])(?:\}\})*\}(?!\})/.exec(braces);
      if (lone) report(from, "f-string: single '}' is not allowed");
      if (!raw) checkEscapes(chunk, from, false);
    };
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name !== "FormatReplacement") continue;
      literal(child.from);
      from = child.to;
    }
    literal(node.to - parts.quote.length);
    return "text";
  };

  const checkStringGroup = (nodes: SyntaxNode[]): void => {
    const kinds = new Set<string>();
    for (const node of nodes) {
      const kind = node.name === "FormatString" ? checkFormatString(node) : checkString(node);
      if (kind) kinds.add(kind);
    }
    if (kinds.size > 1 && nodes[0]) report(nodes[0].from, "cannot mix bytes and nonbytes literals");
  };

  const IDENTIFIER = /^[\p{XID_Start}_][\p{XID_Continue}]*$/u;
  const checkIdentifier = (from: number, to: number): void => {
    const name = source.slice(from, to);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || IDENTIFIER.test(name.normalize("NFKC"))) return;
    const bad = [...name].find((char, index) => !(index === 0 ? /[\p{XID_Start}_]/u : /\p{XID_Continue}/u).test(char.normalize("NFKC"))) ?? name;
    const code = bad.codePointAt(0) ?? 0;
    report(from, `invalid character '${bad}' (U+${code.toString(16).toUpperCase().padStart(4, "0")})`);
  };

  // ---- the walk -----------------------------------------------------------------------------
  /** Checks one node; false when its children need no visit. */
  const check = (node: SyntaxNode): boolean => {
    switch (node.name) {
      case "AssignStatement":
        checkAssign(node);
        break;
      case "UpdateStatement": {
        const [target, op] = childrenOf(node);
        if (target && op?.name === "UpdateOp") checkTarget(target, "augmented", false);
        else if (target) report(target.from, "'tuple' is an illegal expression for augmented assignment");
        break;
      }
      case "DeleteStatement":
        checkTargetList(childrenOf(node).filter((child) => child.name !== "del" && child.name !== ","), "delete");
        break;
      case "ForStatement":
      case "ComprehensionExpression":
      case "ArrayComprehensionExpression":
      case "SetComprehensionExpression":
      case "DictionaryComprehensionExpression":
      case "ArgList":
        checkForTargets(node);
        if (node.name === "ArgList") checkArgs(node, node.parent?.name === "ClassDefinition");
        if (node.name !== "ForStatement" && node.name !== "ArgList") checkComprehensionElement(node);
        break;
      case "WithStatement": {
        const children = childrenOf(node);
        children.forEach((child, index) => {
          if (child.name !== "as") return;
          const target = children[index + 1];
          if (target && target.name !== "*") checkTarget(target, "assign", false);
        });
        break;
      }
      case "NamedExpression": {
        const target = node.firstChild;
        if (target && target.name !== "VariableName") report(target.from, `cannot use assignment expressions with ${target.name === "MemberExpression" ? (childrenOf(target)[1]?.name === "." ? "attribute" : "subscript") : target.name === "ParenthesizedExpression" ? "name" : describe(target)}`);
        break;
      }
      case "ParamList":
        checkParams(node, node.parent?.name === "LambdaExpression");
        break;
      case "TryStatement":
        checkTry(node);
        break;
      case "ParenthesizedExpression":
        if (childrenOf(node).some((child) => child.name === "*")) report(node.from, "cannot use starred expression here");
        break;
      case "MatchStatement": {
        const subject = childrenOf(node).filter((child) => child.name !== "match" && child.name !== "MatchBody");
        if (subject.length === 2 && subject[0]?.name === "*") report(node.from, "invalid syntax");
        break;
      }
      case "BinaryExpression": {
        const right = node.lastChild;
        if (right?.name !== "UnaryExpression" || right.firstChild?.name !== "not") break;
        const kids = childrenOf(node);
        const isCompare = kids.some((child) => ["CompareOp", "in", "is"].includes(child.name) || (child.name === "not" && child !== kids[0]));
        if (isCompare) report(right.from, "invalid syntax");
        break;
      }
      case "AwaitExpression": {
        const operand = node.lastChild;
        if (operand && (operand.name === "UnaryExpression" || operand.name === "BinaryExpression" || operand.name === "AwaitExpression")) {
          report(operand.from, "invalid syntax");
        }
        break;
      }
      case "ContinuedString":
        checkStringGroup(childrenOf(node).filter((child) => child.name === "String" || child.name === "FormatString"));
        break;
      case "String":
        if (node.parent?.name !== "ContinuedString") checkStringGroup([node]);
        return false;
      case "FormatString":
        if (node.parent?.name !== "ContinuedString") checkStringGroup([node]);
        break;
    }
    return true;
  };
  const ascii = !/[^\x00-\x7f]/.test(source);
  // One pass over the tree for both the checks above and the indentation rules, which read the
  // tokens (leaves, with strings and comments as one token each) in document order.
  const indentationProblems: SyntaxProblem[] = [];
  const indentation = makeIndentationCheck(source, (pos, message) => void indentationProblems.push({ pos, message }));
  let indentationDone = false;
  let opaqueEnd = -1;
  const token = (kind: number, from: number, to: number): void => {
    if (!indentationDone && !indentation(kind, from, to)) indentationDone = true;
  };
  const walk = (): void => {
    const cursor = tree.cursor();
    const top = tree.type.id;
    for (;;) {
      const type = cursor.type;
      const flags = flagsOf(type);
      const { from, to } = cursor;
      let descend = true;
      if (flags & NUMBER) {
        checkNumber(from, to);
        descend = false;
      } else if (flags & IDENTIFIER_NAME) {
        // The grammar's identifiers are ASCII words unless the file has other characters at all.
        if (!ascii) checkIdentifier(from, to);
        descend = false;
      } else if (flags & CHECKED) descend = check(cursor.node);
      if (problems.length >= limit) return;
      const opaque = (flags & OPAQUE) !== 0;
      const inOpaque = from < opaqueEnd;
      if (opaque && !inOpaque) {
        token(flags, from, to);
        opaqueEnd = to;
      }
      if (descend && cursor.firstChild()) continue;
      if (!opaque && !inOpaque && from < to && type.id !== top) token(flags, from, to);
      while (!cursor.nextSibling()) if (!cursor.parent()) return;
    }
  };

  /** `for` targets in statements, comprehensions and generator arguments: between `for` and `in`. */
  const checkForTargets = (node: SyntaxNode): void => {
    const children = childrenOf(node);
    for (let i = 0; i < children.length; i++) {
      if (children[i]?.name !== "for") continue;
      const targets: SyntaxNode[] = [];
      for (let j = i + 1; j < children.length && children[j]?.name !== "in"; j++) {
        const child = children[j] as SyntaxNode;
        if (child.name !== ",") targets.push(child);
      }
      checkTargetList(targets, "assign");
    }
  };

  const checkComprehensionElement = (node: SyntaxNode): void => {
    const first = childrenOf(node)[1];
    if (first?.name === "*" || first?.name === "**") {
      report(first.from, first.name === "*" ? "iterable unpacking cannot be used in comprehension" : "dict unpacking cannot be used in dict comprehension");
    }
  };

  walk();
  for (const problem of indentationProblems) report(problem.pos, problem.message);
  if (problems.length < limit && /\\(?:\r\n|\r|\n)?[ \t\f]*$/.test(source) && !/#[^\n]*\\$/.test(source)) {
    report(source.length, "unexpected EOF while parsing");
  }
  return problems;
};

// ---- indentation ------------------------------------------------------------------------------

// What the walk needs to know of a node type, as bits (the walk meets every node of every file:
// one array read instead of a few string-set lookups by name).
const STRING_START = /([A-Za-z]*)('''|"""|'|")/y;
const NUMBER = 1;
const IDENTIFIER_NAME = 2;
const CHECKED = 4;
/** Strings and comments: one token each for the indentation rules, whatever they contain. */
const OPAQUE = 8;
const COMMENT = 16;
const OPENER = 32;
const CLOSER = 64;
const COLON = 128;
const CHECKED_NAMES = new Set([
  "AssignStatement", "UpdateStatement", "DeleteStatement", "ForStatement", "ComprehensionExpression", "ArrayComprehensionExpression",
  "SetComprehensionExpression", "DictionaryComprehensionExpression", "ArgList", "WithStatement", "NamedExpression", "ParamList",
  "TryStatement", "ParenthesizedExpression", "MatchStatement", "BinaryExpression", "AwaitExpression", "ContinuedString", "String", "FormatString",
]);
const flagsOfName = (name: string): number =>
  (name === "Number" ? NUMBER : 0) |
  (name === "VariableName" || name === "PropertyName" ? IDENTIFIER_NAME : 0) |
  (CHECKED_NAMES.has(name) ? CHECKED : 0) |
  (name === "String" || name === "FormatString" || name === "Comment" ? OPAQUE : 0) |
  (name === "Comment" ? COMMENT : 0) |
  (name === "(" || name === "[" || name === "{" ? OPENER : 0) |
  (name === ")" || name === "]" || name === "}" ? CLOSER : 0) |
  (name === ":" ? COLON : 0);
// By type id, remembering the type each entry was computed for (a tree of another node set gets its own).
const knownTypes: NodeType[] = [];
const knownFlags: number[] = [];
const flagsOf = (type: NodeType): number => {
  if (knownTypes[type.id] === type) return knownFlags[type.id] ?? 0;
  const flags = flagsOfName(type.name);
  knownTypes[type.id] = type;
  knownFlags[type.id] = flags;
  return flags;
};
const [HASH, LF, CR, BACKSLASH, SPACE, TAB, FORM_FEED] = [35, 10, 13, 92, 32, 9, 12];
/** CPython's tokenizer refuses this many open brackets (MAXLEVEL). */
const MAX_BRACKET_DEPTH = 200;

/**
 * CPython's tokenizer rules for the indentation of logical lines: a deeper line only after a
 * block opener, a shallower one must match an enclosing level, and comparing with tabs as 8
 * columns and as 1 column must agree (else TabError). Fed every token in document order; false
 * after the first problem (reported), when the rest is not worth reading.
 */
const makeIndentationCheck = (source: string, report: (pos: number, message: string) => void): ((flags: number, from: number, to: number) => boolean) => {
  const stack: Array<{ col: number; alt: number }> = [{ col: 0, alt: 0 }];
  let depth = 0;
  let lastEnd = 0;
  let lastWasColon = false;
  let first = true;
  const onToken = (flags: number, from: number, to: number): boolean => {
    if (flags & COMMENT) return true;
    // Character codes, not one-character strings: this runs between every two tokens of every file.
    let firstBreak = -1;
    let continued = false;
    let before = 0;
    for (let i = lastEnd; i < from && firstBreak < 0; i++) {
      const ch = source.charCodeAt(i);
      if (ch === HASH) while (i + 1 < from && source.charCodeAt(i + 1) !== LF && source.charCodeAt(i + 1) !== CR) i += 1;
      else if (ch === LF || ch === CR) {
        firstBreak = i;
        continued = before === BACKSLASH;
      } else before = ch;
    }
    const startsLine = first || (depth === 0 && firstBreak >= 0 && !continued);
    if (startsLine) {
      let lineStart = from;
      for (let ch = source.charCodeAt(lineStart - 1); lineStart > 0 && (ch === SPACE || ch === TAB || ch === FORM_FEED); ch = source.charCodeAt(lineStart - 1)) lineStart -= 1;
      let col = 0;
      let alt = 0;
      for (let i = lineStart; i < from; i++) {
        const ch = source.charCodeAt(i);
        if (ch === SPACE) {
          col += 1;
          alt += 1;
        } else if (ch === TAB) {
          col = Math.floor(col / 8 + 1) * 8;
          alt += 1;
        } else if (ch === FORM_FEED) {
          col = 0;
          alt = 0;
        }
      }
      const top = stack[stack.length - 1] ?? { col: 0, alt: 0 };
      if (col === top.col) {
        if (alt !== top.alt) return tabError(from);
      } else if (col > top.col) {
        if (alt <= top.alt) return tabError(from);
        if (!lastWasColon || first) {
          report(from, "unexpected indent");
          return false;
        }
        stack.push({ col, alt });
      } else {
        while (stack.length > 1 && col < (stack[stack.length - 1]?.col ?? 0)) stack.pop();
        const level = stack[stack.length - 1] ?? { col: 0, alt: 0 };
        if (col !== level.col) {
          report(from, "unindent does not match any outer indentation level");
          return false;
        }
        if (alt !== level.alt) return tabError(from);
      }
      first = false;
    }
    if (flags & OPENER) {
      depth += 1;
      if (depth >= MAX_BRACKET_DEPTH) {
        report(from, "too many nested parentheses");
        return false;
      }
    }
    else if (flags & CLOSER) depth = Math.max(0, depth - 1);
    lastEnd = to;
    lastWasColon = (flags & COLON) !== 0;
    return true;
  };
  const tabError = (pos: number): boolean => {
    report(pos, "inconsistent use of tabs and spaces in indentation");
    return false;
  };
  return onToken;
};
