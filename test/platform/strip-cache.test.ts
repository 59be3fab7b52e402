import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The stripped-file cache npm start runs every Node process with (scripts/strip-cache): a .ts
// program runs the same through it, its errors point at the same lines and columns, a file stripped
// before is answered from the cache (so the process never loads Node's stripper), and warming
// strips each source once and drops what no source strips to any more.

const hook = fileURLToPath(new URL("../../scripts/strip-cache/hook.mjs", import.meta.url));
const warm = fileURLToPath(new URL("../../scripts/strip-cache/strip-cache.mjs", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "strip-cache-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const program = (dir: string) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "helper.ts"), "export interface Shape { readonly sides: number }\nexport const sides = (s: Shape): number => s.sides;\n");
  writeFileSync(join(dir, "main.ts"), [
    'import { type Shape, sides } from "./helper.ts";',
    "const square: Shape = { sides: 4 };",
    "console.log(`sides ${sides(square)}`);",
    "if (process.argv[2] === \"throw\") { const why: string = \"on purpose\"; throw new Error(why); }",
    "",
  ].join("\n"));
  return join(dir, "main.ts");
};

const run = (main: string, cache: string, ...args: string[]) =>
  spawnSync(process.execPath, ["--import", hook, main, ...args], { env: { ...process.env, STRIPPED_TS_CACHE_DIR: cache }, encoding: "utf8" });

describe("the stripped-TypeScript cache", () => {
  it("runs a TypeScript program as Node would, errors pointing at the same line and column", () => {
    const cache = join(work, "cache-a");
    const main = program(join(work, "a"));
    const ran = run(main, cache);
    expect(ran.stdout).toBe("sides 4\n");
    expect(ran.status).toBe(0);
    expect(readdirSync(cache)).toHaveLength(2);

    const direct = spawnSync(process.execPath, [main, "throw"], { encoding: "utf8" });
    const cached = run(main, cache, "throw");
    expect(cached.status).toBe(1);
    const at = (stderr: string) => /at file:\/\/\S+main\.ts:\d+:\d+/.exec(stderr)?.[0];
    expect(at(cached.stderr)).toBe(at(direct.stderr));
    expect(at(cached.stderr)).toMatch(/main\.ts:4:\d+$/);
  });

  it("answers a file stripped before from the cache, without stripping it again", () => {
    const cache = join(work, "cache-b");
    const main = program(join(work, "b"));
    expect(run(main, cache).stdout).toBe("sides 4\n");
    // The cache's copy of main.ts, changed: what runs now is what the cache holds.
    const entries = readdirSync(cache).map((name) => join(cache, name));
    const mainEntry = entries.find((file) => readFileSync(file, "utf8").includes("console.log"));
    expect(mainEntry).toBeDefined();
    writeFileSync(mainEntry ?? "", readFileSync(mainEntry ?? "", "utf8").replace("sides ${", "from the cache ${"));
    expect(run(main, cache).stdout).toBe("from the cache 4\n");
  });

  it("warms every source once, and removes the entries of sources that changed", () => {
    const cache = join(work, "cache-c");
    const dir = join(work, "c");
    program(dir);
    mkdirSync(join(dir, "node_modules", "dep"), { recursive: true });
    writeFileSync(join(dir, "node_modules", "dep", "index.ts"), "export const x: number = 1;\n");
    const warmIn = () => JSON.parse(execFileSync(process.execPath, ["--disable-warning=ExperimentalWarning", "--input-type=module", "-e",
      `import { warmCache } from ${JSON.stringify(warm)}; console.log(JSON.stringify(warmCache([${JSON.stringify(dir)}])));`,
    ], { env: { ...process.env, STRIPPED_TS_CACHE_DIR: cache }, encoding: "utf8" })) as { files: number; stripped: number; removed: number };
    expect(warmIn()).toEqual({ files: 2, stripped: 2, removed: 0 });
    expect(warmIn()).toEqual({ files: 2, stripped: 0, removed: 0 });
    writeFileSync(join(dir, "helper.ts"), "export interface Shape { readonly sides: number }\nexport const sides = (s: Shape): number => s.sides * 1;\n");
    expect(warmIn()).toEqual({ files: 2, stripped: 1, removed: 1 });
    expect(readdirSync(cache)).toHaveLength(2);
  });
});
