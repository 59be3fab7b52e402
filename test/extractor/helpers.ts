import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mkdirSync } from "node:fs";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import type { ExtractOptions, ExtractResult } from "../../libs/extractor/extract.ts";
import { readProject } from "../../libs/extractor/read-project.ts";

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

export const fixtureDir = (name: string): string => join(FIXTURES, name);

export const extractFixture = (name: string, options: ExtractOptions = {}): ExtractResult =>
  extractEndpoints(readProject(fixtureDir(name)).files, options);

/** A copy of a fixture with some files replaced, for "what FastAPI serves once this is fixed". */
export const fixtureVariant = (name: string, replacements: Record<string, string | Uint8Array>): string => {
  const dir = mkdtempSync(join(tmpdir(), `extractor-${name}-`));
  cpSync(fixtureDir(name), dir, { recursive: true });
  for (const [file, content] of Object.entries(replacements)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
};

export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

export const keysOf = (routes: ReadonlyArray<{ readonly method: string; readonly path: string }>): string[] =>
  [...new Set(routes.map((route) => `${route.method} ${route.path}`))].sort();

/**
 * What the orchestrator's catalog answers for a project: it passes the entry it detected (the
 * same search the extractor runs), so the extractor's own "entry_chosen" info is not there.
 */
export const asCatalogAnswers = (result: ExtractResult): ExtractResult => ({
  endpoints: result.endpoints,
  diagnostics: result.diagnostics.filter((d) => d.severity !== "info"),
});
