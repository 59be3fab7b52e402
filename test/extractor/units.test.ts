// The extractor's small building blocks, and its command-line and disk entry points.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeModuleIndex, normalizePath, resolveRelativeModule } from "../../libs/extractor/module-graph.ts";
import { cleandoc, splitStringToken, unescapePython } from "../../libs/extractor/python-strings.ts";
import { readProject } from "../../libs/extractor/read-project.ts";
import { decodeSource } from "../../libs/extractor/source-text.ts";
import { fixtureDir, removeDir } from "./helpers.ts";

describe("python strings", () => {
  it("splits prefixes and quotes, and unescapes like Python", () => {
    expect(splitStringToken(`Rb'''x'''`)).toEqual({ prefix: "rb", body: "x", bodyOffset: 5 });
    expect(splitStringToken("not a string")).toBeNull();
    expect(unescapePython("a\\nb\\\\c\\x4g\\u12\\N{DASH}\\", false)).toBe("a\nb\\c\\x4g\\u12\\N{DASH}\\");
    expect(unescapePython("line\\\ncontinued\\a\\b\\f\\r\\v\\0", false)).toBe("linecontinued\x07\b\f\r\v\0");
    expect(unescapePython("\\U0001F600", false)).toBe("😀");
    expect(unescapePython("\\n", true)).toBe("\\n");
  });

  it("cleans docstrings as inspect.cleandoc does", () => {
    expect(cleandoc("  First.\n\n      Indented.\n    Less.\n\n")).toBe("First.\n\n  Indented.\nLess.");
    expect(cleandoc("\n\tTabbed\n")).toBe("Tabbed");
  });
});

describe("source decoding", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it("decodes UTF-8 (with or without BOM) and declared encodings", () => {
    expect(decodeSource(bytes("\uFEFFx = 'é'"))).toEqual({ ok: true, text: "x = 'é'" });
    expect(decodeSource(new Uint8Array([...bytes("# coding: latin-1\nx = '"), 0xe9, 0x27]))).toEqual({ ok: true, text: "# coding: latin-1\nx = 'é'" });
    expect(decodeSource(bytes("#!/usr/bin/env python\n# vim: set fileencoding=ascii :\nx = 1\n"))).toMatchObject({ ok: true });
    expect(decodeSource(bytes("# -*- coding: utf_8 -*-\nx = 1\n"))).toMatchObject({ ok: true });
    expect(decodeSource(bytes("# -*- coding: cp1252 -*-\nx = 1\n"))).toMatchObject({ ok: true });
  });

  it("rejects binary data, undecodable bytes and unknown codecs with a line", () => {
    expect(decodeSource("a\u0000b")).toMatchObject({ ok: false, code: "binary_file" });
    expect(decodeSource(new Uint8Array([...bytes("# coding: ascii\nx = '"), 0xe9]))).toMatchObject({ ok: false, code: "invalid_encoding" });
    expect(decodeSource(bytes("# coding: klingon\n"))).toMatchObject({ ok: false, code: "invalid_encoding", message: 'unknown source encoding "klingon"' });
    expect(decodeSource(new Uint8Array([...bytes("a = 1\nb = 2\nc = '"), 0xff]))).toMatchObject({ ok: false, line: 3 });
    expect(decodeSource(bytes("x = 1\n# coding: latin-1\n"))).toMatchObject({ ok: true }); // too late to count
  });
});

describe("module graph", () => {
  const files = new Set(["main.py", "app/__init__.py", "app/core/config.py", "src/lib.py", "weird-name.py"]);
  const index = makeModuleIndex(files, ["src", ""]);

  it("finds packages, modules and namespace packages through the roots", () => {
    expect(index.find("app")).toEqual({ name: "app", file: "app/__init__.py", isPackage: true });
    expect(index.find("app.core")).toEqual({ name: "app.core", file: null, isPackage: true });
    expect(index.find("lib")).toEqual({ name: "lib", file: "src/lib.py", isPackage: false });
    expect(index.find("nope")).toBeNull();
    expect(index.find("bad name")).toBeNull();
    expect(index.hasTopLevel("app.missing")).toBe(true);
    expect(index.moduleNameOf("app/__init__.py")).toBe("app");
    expect(index.moduleNameOf("weird-name.py")).toBeNull();
  });

  it("resolves relative imports and refuses to go past the top package", () => {
    expect(resolveRelativeModule("app.api.users", false, 1, "deps")).toBe("app.api.deps");
    expect(resolveRelativeModule("app.api", true, 2, "")).toBe("app");
    expect(resolveRelativeModule("main", false, 1, "x")).toBeNull();
    expect(normalizePath(".\\app\\\\main.py")).toBe("app/main.py");
  });
});

describe("reading a project from disk", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeDir));

  it("skips virtualenvs, caches, VCS and node_modules, and files over 1 MiB", () => {
    const dir = mkdtempSync(join(tmpdir(), "extractor-read-"));
    dirs.push(dir);
    for (const skipped of [".venv", "venv", "__pycache__", ".git", "node_modules"]) {
      mkdirSync(join(dir, skipped));
      writeFileSync(join(dir, skipped, "x.py"), "x = 1\n");
    }
    mkdirSync(join(dir, "pkg"));
    writeFileSync(join(dir, "pkg", "a.py"), "a = 1\n");
    writeFileSync(join(dir, "big.py"), "#".repeat(1024 * 1024 + 1));
    const project = readProject(dir);
    expect([...project.files.keys()]).toEqual(["pkg/a.py"]);
    expect(project.skipped).toEqual([{ path: "big.py", reason: "1048577 bytes, over the 1 MiB limit" }]);
    expect([...readProject(join(dir, "pkg", "a.py")).files.keys()]).toEqual(["a.py"]);
  });
});

describe("the extract CLI", () => {
    const script = join(process.cwd(), "scripts/extract.ts");

  it("prints endpoints and diagnostics as JSON", () => {
    const output = JSON.parse(execFileSync(process.execPath, [script, fixtureDir("entry_scan")], { encoding: "utf8" })) as { endpoints: Array<{ path: string }>; diagnostics: unknown[] };
    expect(output.endpoints.map((endpoint) => endpoint.path)).toEqual(["/svc/ping"]);
    expect(output.diagnostics).toEqual([expect.objectContaining({ severity: "info", code: "entry_chosen", file: "service/api.py" })]);
    const single = JSON.parse(execFileSync(process.execPath, [script, "--entry", "admin_main.py", fixtureDir("explicit_entry")], { encoding: "utf8" })) as { endpoints: Array<{ path: string }> };
    expect(single.endpoints.map((endpoint) => endpoint.path)).toEqual(["/admin-only"]);
  }, 90_000);

  it("exits 2 with a clear message on a missing path", () => {
    const missing = spawnSync(process.execPath, [script, "/definitely/not/here"], { encoding: "utf8" });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("no such file or directory: /definitely/not/here");
    const none = spawnSync(process.execPath, [script], { encoding: "utf8" });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("usage:");
  }, 90_000);
});
