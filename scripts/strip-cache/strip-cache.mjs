// Node runs our TypeScript itself (it strips the types; no transpiling wrapper), but the stripper it
// loads for that, amaro (swc built to WebAssembly), then stays in the process: ~15-20 MB of each
// idle service's RSS (npm run bench:idle). This keeps Node's own stripped output of each file in a
// cache keyed by the source's hash (and Node's version), and an in-thread load hook
// (module.registerHooks, installed by hook.mjs) answers .ts files from it, so a process whose files
// were stripped before (npm start and npm run start:cluster strip them all first: warm.mjs) never loads the
// stripper. The output keeps every line and column, so stack traces point into the .ts files as
// before. JavaScript, not TypeScript: what spares a process the stripper cannot itself need it.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where stripped files are kept: STRIPPED_TS_CACHE_DIR, else node_modules/.cache/stripped-ts of this checkout. */
export const cacheDir = () => process.env.STRIPPED_TS_CACHE_DIR ?? fileURLToPath(new URL("../../node_modules/.cache/stripped-ts/", import.meta.url));

/** @param {string} source */
const keyOf = (source) => createHash("sha256").update(process.version).update("\0").update(source).digest("hex").slice(0, 40);

/**
 * Node's own strip of a TypeScript source, from the cache when it was stripped before. A cache that
 * cannot be written (a read-only checkout) only means stripping again next time.
 * @param {string} source
 * @returns {string}
 */
export const stripped = (source) => {
  const dir = cacheDir();
  const file = join(dir, `${keyOf(source)}.js`);
  try {
    return readFileSync(file, "utf8");
  } catch {
    // Not stripped before: strip now (this loads the stripper into this process).
  }
  const { stripTypeScriptTypes } = process.getBuiltinModule("node:module");
  const code = stripTypeScriptTypes(source, { mode: "strip" });
  try {
    mkdirSync(dir, { recursive: true });
    // Written whole, then renamed: processes starting together never read half a file.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, file);
  } catch {
    // Uncached: correct, only slower and larger next time.
  }
  return code;
};

/**
 * @param {string} dir
 * @returns {string[]} every .ts file under dir, node_modules left out
 */
const typeScriptFiles = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
  const path = join(dir, entry.name);
  if (entry.isDirectory()) return entry.name === "node_modules" || entry.name.startsWith(".") ? [] : typeScriptFiles(path);
  return entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
});

/**
 * Strips every .ts file under `dirs` into the cache, and removes what no file there strips to any
 * more, so the cache holds one entry per current source and never grows past that.
 * @param {ReadonlyArray<string>} dirs
 * @returns {{ files: number, stripped: number, removed: number }}
 */
export const warmCache = (dirs) => {
  const dir = cacheDir();
  let before = new Set();
  try {
    before = new Set(readdirSync(dir));
  } catch {
    // No cache yet.
  }
  const files = dirs.flatMap(typeScriptFiles);
  const kept = new Set();
  for (const file of files) {
    const source = readFileSync(file, "utf8");
    stripped(source);
    kept.add(`${keyOf(source)}.js`);
  }
  let removed = 0;
  for (const name of before) {
    if (kept.has(name)) continue;
    rmSync(join(dir, name), { force: true });
    removed += 1;
  }
  return { files: files.length, stripped: [...kept].filter((name) => !before.has(name)).length, removed };
};

/** Answers our .ts modules from the cache (Node's default for everything else, and for node_modules, where it strips nothing). */
export const installHook = () => {
  const { registerHooks } = process.getBuiltinModule("node:module");
  registerHooks({
    load(url, context, nextLoad) {
      if (!url.startsWith("file:") || !url.endsWith(".ts") || url.includes("/node_modules/")) return nextLoad(url, context);
      return { format: "module", source: stripped(readFileSync(fileURLToPath(url), "utf8")), shortCircuit: true };
    },
  });
};

