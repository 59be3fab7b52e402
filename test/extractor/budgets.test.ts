// Adversarial inputs against the interpreter's budgets: each one ends, says which budget
// ran out and where (budget_exceeded, file:line), and the rest of the project is still listed.
import { describe, expect, it } from "vitest";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import type { ExtractOptions } from "../../libs/extractor/extract.ts";
import { keysOf } from "./helpers.ts";

const MAIN = "from fastapi import FastAPI\nimport bomb\napp = FastAPI()\n@app.get('/ok')\ndef ok(): pass\n";

/** Runs `bomb.py` imported by a main module with one route; returns what came out. */
const explode = (bomb: string, options: ExtractOptions = {}, extra: Record<string, string> = {}) => {
  const result = extractEndpoints({ "main.py": MAIN, "bomb.py": bomb, ...extra }, options);
  const budgets = result.diagnostics.filter((d) => d.code === "budget_exceeded");
  return { keys: keysOf(result.endpoints), budgets, all: result.diagnostics };
};

const lines = (count: number, line: (i: number) => string): string => Array.from({ length: count }, (_, i) => line(i)).join("\n");
const literalList = (count: number): string => `[${lines(count, (i) => String(i)).replace(/\n/g, ", ")}]`;

describe("adversarial inputs end within the budget, with a diagnostic, and the rest is listed", () => {
  it.each([
    // The issue's 289-byte main.py: doubling a list in a loop of 26, then ten more copies.
    ["exponential list growth in a loop", `x = [1]\nfor i in ${literalList(26)}:\n    x = x + x\n${lines(10, () => "x = x + x")}\n`, "container size", 3],
    ["exponential string growth, unrolled", `s = "ab"\n${lines(40, () => "s = s + s")}\n`, "string length", 20],
    ["exponential growth through +=", `s = ["ab"]\n${lines(40, () => "s += s")}\n`, "container size", 18],
    ["quadratic growth through str.replace", `s = "aaaaaaaaaa"\n${lines(12, () => "s = s.replace('a', s)")}\n`, "string length", 4],
    ["a join of a huge list", `x = ["abcdefghijklmnopqrstuvwxyz"]\n${lines(15, () => "x = x + x")}\ns = "-".join(x + x)\n`, "string length", 17],
    ["a huge list literal", `x = ${literalList(150_000)}\n`, "container size", 1],
    ["a huge string literal", `x = "${"a".repeat(1_500_000)}"\n`, "string length", 1],
    ["spreads of a large list", `x = ${literalList(60_000)}\ny = [*x, *x]\n`, "container size", 2],
    ["runaway recursion", "def f(n):\n    return f(n + 1)\nf(0)\n", "call depth", 2],
    ["mutual recursion through classes", "class A:\n    def __init__(self):\n        B()\nclass B:\n    def __init__(self):\n        A()\nA()\n", "call depth", 6],
    ["exponential calls", `${lines(30, (i) => `def f${i + 1}():\n    f${i}()\n    f${i}()`)}\ndef f0():\n    pass\nf30()\n`, "statement steps", 93],
    ["nested loops over large lists", `L = ${literalList(9_000)}\nfor a in L:\n    for b in L:\n        pass\n`, "statement steps", 2],
    ["recursion through 150-deep expressions", `def f(n):\n    return ${"(".repeat(150)}f(n)${")".repeat(150)}\nf(0)\n`, "nesting", 2],
    ["recursion through 90-deep blocks", `def f():\n${lines(90, (i) => `${" ".repeat(i + 1)}if True:`)}\n${" ".repeat(91)}f()\nf()\n`, "nesting", 22],
  ])("%s", (_, bomb, budget, line) => {
    const { keys, budgets } = explode(bomb);
    expect(keys).toEqual(["GET /ok"]);
    expect(budgets.length).toBeGreaterThan(0);
    expect(budgets.map((d) => d.message)).toEqual(expect.arrayContaining([expect.stringContaining(`${budget} budget`)]));
    expect(budgets.find((d) => d.message.includes(`${budget} budget`))).toMatchObject({ file: "bomb.py", line, severity: "error" });
  }, 60_000);

  it.each([
    ["a 10k-deep binary expression", `x = ${lines(10_000, () => "1").replace(/\n/g, " + ")}\n`],
    ["a 10k-deep unary expression", `x = ${"-".repeat(10_000)}1\n`],
    ["10k-deep nested calls", `x = ${"f(".repeat(10_000)}1${")".repeat(10_000)}\n`],
    ["1000-deep nested blocks", `${lines(1_000, (i) => `${" ".repeat(i)}if True:`)}\n${" ".repeat(1_000)}x = 1\n`],
  ])("%s (which CPython refuses too) ends with a diagnostic, the rest listed", (_, bomb) => {
    const { keys, all } = explode(bomb);
    expect(keys).toEqual(["GET /ok"]);
    expect(all.filter((d) => d.file === "bomb.py").map((d) => d.code)).toEqual(expect.arrayContaining([expect.stringMatching(/^(syntax_error|budget_exceeded)$/)]));
  }, 60_000);

  it("a long import cycle chain ends and names the nesting budget", () => {
    const chain: Record<string, string> = {};
    for (let i = 0; i < 2_000; i++) chain[`m${i}.py`] = `import m${(i + 1) % 2_000}\nX = ${i}\n`;
    const { keys, budgets } = explode("import m0\n", {}, chain);
    expect(keys).toEqual(["GET /ok"]);
    expect(budgets.map((d) => d.message)).toEqual(expect.arrayContaining([expect.stringContaining("nesting budget")]));
  }, 60_000);

  it("the total step budget stops interpretation but keeps the routes registered so far", () => {
    const main = "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/before')\ndef before(): pass\nwhile True:\n    x = 1\n" +
      `${lines(30, (i) => `def f${i + 1}():\n    f${i}()\n    f${i}()`)}\ndef f0():\n    pass\nf30()\n@app.get('/after')\ndef after(): pass\n`;
    const result = extractEndpoints({ "main.py": main }, { budgets: { steps: 20_000 } });
    expect(keysOf(result.endpoints)).toEqual(["GET /before"]);
    const exceeded = result.diagnostics.find((d) => d.code === "budget_exceeded");
    expect(exceeded?.message).toContain("steps budget (20000) exceeded");
    expect(exceeded?.file).toBe("main.py");
    expect(result.diagnostics.map((d) => d.code)).not.toContain("no_app");
  });

  it("the wall-time budget stops interpretation and says so", () => {
    const bomb = `${lines(30, (i) => `def f${i + 1}():\n    f${i}()\n    f${i}()`)}\ndef f0():\n    pass\nf30()\n`;
    const { budgets } = explode(bomb, { budgets: { wallMs: 0 } });
    expect(budgets).toEqual([expect.objectContaining({ file: "bomb.py", message: expect.stringContaining("wall time budget (0 ms) exceeded") })]);
  });

  it("the allocation budget bounds many values that are each under the size limits", () => {
    const bomb = `x = ${literalList(50_000)}\n${lines(200, (i) => `y${i} = x + x`)}\n`;
    const { budgets } = explode(bomb);
    expect(budgets).toEqual([expect.objectContaining({ file: "bomb.py", message: expect.stringContaining("allocation budget") })]);
  }, 60_000);
});
