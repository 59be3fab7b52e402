// Python parsing with a lezer grammar (forked from @lezer/python, see grammar/python.grammar):
// error-tolerant, pure JavaScript (no WASM, no native addon, no Python process), so the
// extractor runs the same under Node and Deno, never executes the generated code, and still
// gets a tree (with error nodes marking the broken spans) from a file that does not parse.
// A file is a syntax error when the tree has an error node or, failing that, when one of the
// rules CPython checks beyond its grammar is broken (python-validate.ts): the same verdict as
// CPython 3.13's `ast.parse`.
import type { SyntaxNode } from "@lezer/common";
import { Tree, TreeBuffer } from "@lezer/common";
import { installDenseActions } from "./grammar/action-table.ts";
import { parser } from "./grammar/parser.ts";
import { installFastTokenCache } from "./grammar/token-cache.ts";
import { newlines } from "./grammar/tokens.ts";
import { validatePython } from "./python-validate.ts";

export type { SyntaxNode };

export interface ParsedModule {
  readonly file: string;
  readonly source: string;
  readonly tree: Tree;
  readonly syntaxErrors: ReadonlyArray<{ readonly line: number; readonly message: string }>;
  readonly text: (node: SyntaxNode) => string;
  readonly lineOf: (pos: number) => number;
}

installDenseActions(parser);
/** Python's longest keywords, `continue` and `nonlocal` (test/extractor/action-table.test.ts reads the grammar's list). */
export const LONGEST_KEYWORD = 8;
installFastTokenCache(parser, newlines, LONGEST_KEYWORD);

export const parsePython = (file: string, source: string): ParsedModule => {
  const tree = parser.parse(source);
  const lineStarts = computeLineStarts(source);
  const lineOf = (pos: number): number => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= pos) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
  return {
    file,
    source,
    tree,
    syntaxErrors: findSyntaxErrors(tree, source, lineOf),
    text: (node) => source.slice(node.from, node.to),
    lineOf,
  };
};

const computeLineStarts = (source: string): number[] => {
  const starts = [0];
  for (let at = source.indexOf("\n"); at >= 0; at = source.indexOf("\n", at + 1)) starts.push(at + 1);
  return starts;
};

const MAX_REPORTED_ERRORS = 5;

/**
 * Whether the tree holds an error node, read straight from its node buffers: nearly every file
 * has none, and walking every node with a cursor to learn that cost more than the check itself.
 */
const hasErrorNode = (tree: Tree): boolean => {
  if (tree.type.isError) return true;
  for (const child of tree.children) {
    if (child instanceof TreeBuffer) {
      const { buffer, set } = child;
      for (let i = 0; i < buffer.length; i += 4) if (set.types[buffer[i] ?? 0]?.isError) return true;
    } else if (child instanceof Tree && hasErrorNode(child)) return true;
  }
  return false;
};

const findSyntaxErrors = (tree: Tree, source: string, lineOf: (pos: number) => number) => {
  const errors: Array<{ line: number; message: string }> = [];
  if (hasErrorNode(tree)) tree.iterate({
    enter: (node) => {
      if (errors.length >= MAX_REPORTED_ERRORS) return false;
      if (!node.type.isError) return undefined;
      const near = source.slice(node.from, Math.min(node.to, node.from + 30)).split("\n")[0] ?? "";
      errors.push({ line: lineOf(node.from), message: near ? `invalid syntax near "${near}"` : "invalid syntax" });
      return false;
    },
  });
  if (errors.length > 0) return errors;
  return validatePython(tree, source, MAX_REPORTED_ERRORS).map((problem) => ({ line: lineOf(problem.pos), message: problem.message }));
};

/**
 * A node's children without comments: a comment may sit between any two tokens inside brackets
 * (`include_router(  # users\n    users.router)`) and is never a value, argument or name.
 */
export const childrenOf = (node: SyntaxNode): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.name !== "Comment") out.push(child);
  return out;
};

const PUNCTUATION = new Set(["(", ")", "[", "]", "{", "}", ",", ":", ".", "At", "AssignOp", "Comment"]);

/** Children that carry meaning (no brackets, commas, dots). */
export const significantChildren = (node: SyntaxNode): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (!PUNCTUATION.has(child.name)) out.push(child);
  return out;
};
