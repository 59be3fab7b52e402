// The extractor's verdict "this file is not valid Python" held to CPython's: every .py file of the
// sandbox image's standard library and site-packages (thousands of files we did not write), and a
// set of valid and invalid snippets, are parsed by the extractor and by the image's own python3
// (`ast.parse`, one process for the whole batch); the two must agree on every one.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePython } from "../../libs/extractor/python-parser.ts";
import { decodeSource } from "../../libs/extractor/source-text.ts";
import { requireImage } from "../sandbox/support.ts";
import { INVALID_SNIPPETS, VALID_SNIPPETS } from "./python-snippets.ts";

/** Regular .py files under the image's Python directories, as paths inside the image. */
const pythonFiles = (root: string): string[] => {
  const found: string[] = [];
  const walk = (inside: string): void => {
    for (const entry of readdirSync(join(root, inside), { withFileTypes: true })) {
      const path = `${inside}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith(".py")) found.push(path);
    }
  };
  for (const dir of readdirSync(join(root, "usr/lib"))) if (/^python3(\.\d+)?$/.test(dir)) walk(`/usr/lib/${dir}`);
  return found.sort();
};

// Any exception from ast.parse is a refusal (SyntaxError and its IndentationError/TabError, and the
// MemoryError CPython raises when its parser stack overflows).
const CPYTHON_CHECK = `
import ast, json, sys, warnings
warnings.simplefilter("ignore")
job = json.load(sys.stdin)
def verdict(source):
    try:
        ast.parse(source)
        return None
    except Exception as error:
        return f"{type(error).__name__}: {error}"
files = {}
for path in job["files"]:
    with open(path, "rb") as handle:
        refused = verdict(handle.read())
    if refused is not None:
        files[path] = refused
json.dump({"files": files, "snippets": [verdict(s) for s in job["snippets"]]}, sys.stdout)
`;

interface CpythonVerdicts {
  readonly files: Record<string, string>;
  readonly snippets: ReadonlyArray<string | null>;
}

/** The image's python3 inside a read-only bubblewrap of the image root, with no network. */
const cpythonVerdicts = (root: string, files: string[], snippets: ReadonlyArray<string>): Promise<CpythonVerdicts> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      "bwrap",
      ["--ro-bind", root, "/", "--proc", "/proc", "--dev", "/dev", "--unshare-all", "--die-with-parent", "--clearenv", "/usr/bin/python3", "-c", CPYTHON_CHECK],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`python3 in the image exited ${code}: ${Buffer.concat(err).toString()}`));
      else resolve(JSON.parse(Buffer.concat(out).toString()) as CpythonVerdicts);
    });
    child.stdin.end(JSON.stringify({ files, snippets }));
  });

/** The extractor's verdict, decided as it loads a project file: decoding, then syntax. */
const ourVerdict = (file: string, content: Uint8Array | string): string | null => {
  const text = decodeSource(content);
  if (!text.ok) return `${text.code} line ${text.line}: ${text.message}`;
  const errors = parsePython(file, text.text).syntaxErrors;
  return errors.length === 0 ? null : errors.map((error) => `syntax_error line ${error.line}: ${error.message}`).join("; ");
};

describe("the extractor's parser agrees with CPython 3.13", () => {
  it("on every .py file of the image's standard library and site-packages, and on valid and invalid snippets", async () => {
    const image = requireImage();
    if (!image) return;
    const files = pythonFiles(image.root);
    const snippets = [...VALID_SNIPPETS, ...INVALID_SNIPPETS];
    const cpython = cpythonVerdicts(image.root, files, snippets); // runs while we parse

    const ours = new Map<string, string>();
    for (const file of files) {
      const verdict = ourVerdict(file, new Uint8Array(readFileSync(join(image.root, file))));
      if (verdict) ours.set(file, verdict);
    }
    const theirs = await cpython;

    expect(files.length).toBeGreaterThan(2000);
    const disagreements = files
      .filter((file) => ours.has(file) !== file in theirs.files)
      .map((file) => `${file}: extractor ${ours.get(file) ?? "accepts"}, CPython ${theirs.files[file] ?? "accepts"}`);
    expect(disagreements).toEqual([]);

    const snippetVerdicts = snippets.map((snippet, index) => ({ snippet, cpython: theirs.snippets[index] ?? null, ours: ourVerdict("snippet.py", snippet) }));
    // The expectations in python-snippets.ts are CPython's own: a snippet in the wrong list fails here.
    expect(snippetVerdicts.filter((v, index) => (index < VALID_SNIPPETS.length) !== (v.cpython === null)).map((v) => v.snippet)).toEqual([]);
    expect(snippetVerdicts.filter((v) => (v.ours === null) !== (v.cpython === null))).toEqual([]);
  }, 600_000);
});
