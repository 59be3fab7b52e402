// Where Python would find a module: dotted names mapped onto the project's files through a
// small sys.path (the entry's import root first, then the project root).

export interface ModuleLocation {
  readonly name: string;
  readonly file: string | null; // null for a namespace package (a directory without __init__.py)
  readonly isPackage: boolean;
}

export interface ModuleIndex {
  readonly find: (name: string) => ModuleLocation | null;
  /** Whether any root holds a module or package whose top-level name is this. */
  readonly hasTopLevel: (name: string) => boolean;
  readonly moduleNameOf: (file: string) => string | null;
  /** Whether the project root itself has an __init__.py (the project is one package). */
  readonly rootIsPackage: boolean;
}

export const normalizePath = (path: string): string =>
  path.replace(/\\/g, "/").replace(/^(\.\/)+/, "").replace(/^\/+/, "").replace(/\/{2,}/g, "/");

const join = (root: string, rest: string): string => (root ? `${root}/${rest}` : rest);

const dirname = (file: string): string => {
  const slash = file.lastIndexOf("/");
  return slash < 0 ? "" : file.slice(0, slash);
};

/** The directory Python would have on sys.path for this entry file (above its package chain). */
export const importRootOf = (entryFile: string, files: ReadonlySet<string>, relativeLevels = 0): string => {
  let dir = dirname(entryFile);
  while (dir && files.has(join(dir, "__init__.py"))) dir = dirname(dir);
  // An entry that imports relatively (`from .api import x`, `from ..core import y`) is a module of
  // a package even without __init__.py (a namespace package: uvicorn serves `app.main:app`), so
  // sys.path is at least that many levels above its directory.
  const depth = (path: string) => (path ? path.split("/").length : 0);
  while (dir && depth(dirname(entryFile)) - depth(dir) < relativeLevels) dir = dirname(dir);
  return dir;
};

/** The deepest relative import of a module's source (`from ..x import y` is 2), 0 for none. */
export const relativeImportLevels = (source: string): number => {
  let levels = 0;
  for (const match of source.matchAll(/^[ \t]*from[ \t]+(\.+)/gm)) levels = Math.max(levels, match[1]?.length ?? 0);
  return levels;
};

export const makeModuleIndex = (pythonFiles: ReadonlySet<string>, roots: ReadonlyArray<string>): ModuleIndex => {
  const directories = new Set<string>();
  for (const file of pythonFiles) {
    for (let dir = dirname(file); dir; dir = dirname(dir)) {
      if (directories.has(dir)) break;
      directories.add(dir);
    }
  }
  const isIdentifierPath = (name: string) => /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(name);

  // Asked again for the same names (every `from m import x` first looks for a submodule m.x).
  const found = new Map<string, ModuleLocation | null>();
  const find = (name: string): ModuleLocation | null => {
    let location = found.get(name);
    if (location === undefined) {
      location = locate(name);
      found.set(name, location);
    }
    return location;
  };
  const locate = (name: string): ModuleLocation | null => {
    if (!isIdentifierPath(name)) return null;
    const relative = name.replace(/\./g, "/");
    for (const root of roots) {
      const base = join(root, relative);
      if (pythonFiles.has(`${base}/__init__.py`)) return { name, file: `${base}/__init__.py`, isPackage: true };
      if (pythonFiles.has(`${base}.py`)) return { name, file: `${base}.py`, isPackage: false };
    }
    for (const root of roots) {
      if (directories.has(join(root, relative))) return { name, file: null, isPackage: true };
    }
    return null;
  };

  const moduleNameOf = (file: string): string | null => {
    for (const root of roots) {
      const prefix = root ? `${root}/` : "";
      if (!file.startsWith(prefix) || !file.endsWith(".py")) continue;
      const dotted = file.slice(prefix.length, -3).replace(/\//g, ".").replace(/(^|\.)__init__$/, "");
      if (dotted && isIdentifierPath(dotted)) return dotted;
    }
    return null;
  };

  return {
    find,
    hasTopLevel: (name) => find(name.split(".")[0] ?? name) !== null,
    moduleNameOf,
    rootIsPackage: roots.includes("") && pythonFiles.has("__init__.py"),
  };
};

/** The absolute module named by a relative import (`from ..x import y`), or null past the top. */
export const resolveRelativeModule = (
  importer: string,
  importerIsPackage: boolean,
  level: number,
  target: string,
  rootIsPackage = false,
): string | null => {
  const parts = importer.split(".");
  const packageParts = importerIsPackage ? parts : parts.slice(0, -1);
  // A project whose root holds __init__.py is itself a package (uvicorn runs it as
  // `project.main:app`), so one more level reaches the root's own modules.
  if (rootIsPackage && level === packageParts.length + 1) return target;
  if (level > packageParts.length) return null; // "attempted relative import beyond top-level package"
  const base = packageParts.slice(0, packageParts.length - (level - 1));
  return target ? [...base, target].join(".") : base.join(".");
};
