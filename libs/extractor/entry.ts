// Which app is "the" app: an explicit `entry` (a .py path or `module:attr`), else the one
// uvicorn would serve as found by served-app.ts (the same search the launcher uses).
import type { SourceText } from "./served-app.ts";
import { findServedApp } from "./served-app.ts";

export interface EntrySpec {
  readonly file: string;
  /** Dotted module name when the entry was given as `module:attr`, else derived from the file. */
  readonly moduleName: string | null;
  readonly attr: string | null;
  /** Whether `attr` was named (by the user or a uvicorn command) rather than guessed. */
  readonly attrNamed: boolean;
  /** Why this entry, when the extractor chose it itself. */
  readonly reason: string | null;
}

export type EntryChoice = { readonly ok: true; readonly entry: EntrySpec } | { readonly ok: false; readonly message: string };

export const chooseEntry = (
  pythonFiles: ReadonlyArray<string>,
  sources: () => ReadonlyArray<SourceText>,
  requested: string | undefined,
): EntryChoice => {
  const files = new Set(pythonFiles);
  if (requested) {
    const colon = requested.lastIndexOf(":");
    if (colon > 0 && !requested.endsWith(".py")) {
      const moduleName = requested.slice(0, colon);
      // `module:factory()` (the launcher's form of a factory): the extractor calls a named function anyway.
      const attr = requested.slice(colon + 1).replace(/\(\)$/, "") || null;
      const base = moduleName.replace(/\./g, "/");
      const file = files.has(`${base}.py`) ? `${base}.py` : files.has(`${base}/__init__.py`) ? `${base}/__init__.py` : null;
      return file
        ? { ok: true, entry: { file, moduleName, attr, attrNamed: attr !== null, reason: null } }
        : { ok: false, message: `entry module ${moduleName} is not in the project` };
    }
    const file = requested.replace(/\\/g, "/").replace(/^\.\//, "");
    return files.has(file)
      ? { ok: true, entry: { file, moduleName: null, attr: null, attrNamed: false, reason: null } }
      : { ok: false, message: `entry file ${file} is not in the project` };
  }
  const served = findServedApp(sources());
  if (!served) return { ok: false, message: "no entry module: no uvicorn command names one, no main.py, no app/main.py and no module constructs FastAPI(" };
  return {
    ok: true,
    entry: {
      file: served.file,
      moduleName: served.attributeNamed ? served.module : null,
      attr: served.attribute,
      attrNamed: served.attributeNamed,
      reason: `serving \`${served.attribute}\` of ${served.file}: ${served.reason}`,
    },
  };
};
