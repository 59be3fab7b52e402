// Which app is "the" app: an explicit `entry` (a .py path or `module:attr`), else main.py,
// else app/main.py, else the first module (shallowest path first) that constructs FastAPI(.

export interface EntrySpec {
  readonly file: string;
  /** Dotted module name when the entry was given as `module:attr`, else derived from the file. */
  readonly moduleName: string | null;
  readonly attr: string | null;
}

export type EntryChoice = { readonly ok: true; readonly entry: EntrySpec } | { readonly ok: false; readonly message: string };

const depth = (file: string): number => file.split("/").length;

export const chooseEntry = (
  pythonFiles: ReadonlyArray<string>,
  textOf: (file: string) => string | null,
  requested: string | undefined,
): EntryChoice => {
  const files = new Set(pythonFiles);
  if (requested) {
    const colon = requested.lastIndexOf(":");
    if (colon > 0 && !requested.endsWith(".py")) {
      const moduleName = requested.slice(0, colon);
      const attr = requested.slice(colon + 1) || null;
      const base = moduleName.replace(/\./g, "/");
      const file = files.has(`${base}.py`) ? `${base}.py` : files.has(`${base}/__init__.py`) ? `${base}/__init__.py` : null;
      return file ? { ok: true, entry: { file, moduleName, attr } } : { ok: false, message: `entry module ${moduleName} is not in the project` };
    }
    const file = requested.replace(/\\/g, "/").replace(/^\.\//, "");
    return files.has(file) ? { ok: true, entry: { file, moduleName: null, attr: null } } : { ok: false, message: `entry file ${file} is not in the project` };
  }
  for (const conventional of ["main.py", "app/main.py"]) {
    if (files.has(conventional)) return { ok: true, entry: { file: conventional, moduleName: null, attr: null } };
  }
  const ordered = [...pythonFiles].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
  const constructing = ordered.find((file) => /\bFastAPI\s*\(/.test(textOf(file) ?? ""));
  return constructing
    ? { ok: true, entry: { file: constructing, moduleName: null, attr: null } }
    : { ok: false, message: "no entry module: no main.py, no app/main.py and no module constructs FastAPI(" };
};
