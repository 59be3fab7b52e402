// The parser's dense action and goto tables (libs/extractor/grammar/action-table.ts) and its token
// cache (grammar/token-cache.ts) must change nothing but speed: a quarter of the image's standard library and site-packages files, and every valid and
// invalid snippet (error recovery, GLR splits), parses to the same tree, node for node, as with
// lezer's own scans.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Tree } from "@lezer/common";
import type { LRParser } from "@lezer/lr";
import { describe, expect, it } from "vitest";
import { installDenseActions } from "../../libs/extractor/grammar/action-table.ts";
import { parser } from "../../libs/extractor/grammar/parser.ts";
import { installFastTokenCache } from "../../libs/extractor/grammar/token-cache.ts";
import { newlines } from "../../libs/extractor/grammar/tokens.ts";
import { LONGEST_KEYWORD } from "../../libs/extractor/python-parser.ts";
import { requireImage } from "../sandbox/support.ts";
import { INVALID_SNIPPETS, VALID_SNIPPETS } from "./python-snippets.ts";

/** Every node's type, start and end, in document order. */
const shape = (tree: Tree): string => {
  const out: number[] = [];
  tree.iterate({ enter: (node) => void out.push(node.type.id, node.from, node.to) });
  return out.join(",");
};

const imagePythonFiles = (root: string): string[] => {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.isFile() && entry.name.endsWith(".py")) found.push(join(dir, entry.name));
    }
  };
  for (const dir of readdirSync(join(root, "usr/lib"))) if (/^python3(\.\d+)?$/.test(dir)) walk(join(root, "usr/lib", dir));
  return found.sort();
};

describe("the dense parse-action table", () => {
  it("is installed on the extractor's parser and answers its lookups", () => {
    const dense = installDenseActions(parser);
    expect(dense).not.toBeNull();
    const before = dense?.lookups() ?? 0;
    const gotosBefore = dense?.gotoLookups() ?? 0;
    parser.parse("app = FastAPI()\n");
    expect(dense?.lookups()).toBeGreaterThan(before);
    expect(dense?.gotoLookups()).toBeGreaterThan(gotosBefore);
    expect(installDenseActions(parser)).toBe(dense);
  });

  it("is joined by the cheaper token cache, which skips reruns and keyword lookups only where the answer cannot change", () => {
    const cache = installFastTokenCache(parser, newlines, LONGEST_KEYWORD);
    expect(cache).not.toBeNull();
    expect(installFastTokenCache(parser, newlines, LONGEST_KEYWORD)).toBe(cache);
    const reused = cache?.reusedNewlines() ?? 0;
    const unread = cache?.unreadIdentifiers() ?? 0;
    parser.parse("def handler(item_id: int):\n    return {'id': item_id}\n\nrouter_with_a_long_name = APIRouter()\n");
    expect(cache?.reusedNewlines()).toBeGreaterThan(reused);
    expect(cache?.unreadIdentifiers()).toBeGreaterThan(unread);
  });

  it("knows the longest keyword the generated parser specializes", () => {
    // The keyword table lezer-generator wrote (grammar:build): an identifier longer than every key is read as no keyword.
    const generated = readFileSync(new URL("../../libs/extractor/grammar/parser.ts", import.meta.url), "utf8");
    const table = /const spec_identifier = \{__proto__:null,([^}]*)\}/.exec(generated)?.[1] ?? "";
    const keywords = [...table.matchAll(/([A-Za-z_]+):\d+/g)].map((match) => match[1] ?? "");
    expect(keywords).toEqual(expect.arrayContaining(["continue", "nonlocal", "match", "None"]));
    expect(Math.max(...keywords.map((keyword) => keyword.length))).toBe(LONGEST_KEYWORD);
  });

  it("yields the same trees as lezer's action scan and token cache, on the image's Python files and on valid and invalid snippets", () => {
    const image = requireImage();
    if (!image) return;
    // A configured copy is another parser instance: the table answers only for the one it was built for.
    const stock: LRParser = parser.configure({});
    const dense = installDenseActions(parser);
    // Every fourth file (hundreds of thousands of lines): the whole set doubles the grammar test's time for little more.
    const files = imagePythonFiles(image.root).filter((_, index) => index % 4 === 0);
    expect(files.length).toBeGreaterThan(500);
    const sources = [...files.map((file) => readFileSync(file, "utf8")), ...VALID_SNIPPETS, ...INVALID_SNIPPETS];
    const before = dense?.lookups() ?? 0;
    const differing = sources.filter((source) => shape(parser.parse(source)) !== shape(stock.parse(source)));
    expect(differing.map((source) => source.slice(0, 80))).toEqual([]);
    expect((dense?.lookups() ?? 0) - before).toBeGreaterThan(sources.length);
  }, 600_000);
});
