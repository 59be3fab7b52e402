// Imports that leave the project are followed into the packages installed where the preview
// runs (the sandbox image's site-packages, a requirements environment), read and interpreted
// the same way, so routers a library builds (fastapi-users' get_auth_router(...)) count.
// Packages whose behaviour the extractor models itself, or that cannot build routes, are not read.
import { readFileSync, statSync } from "node:fs";
import { join, normalize } from "node:path";

export interface Library {
  /** How its files are named in diagnostics and endpoint sources, e.g. `site-packages`. */
  readonly label: string;
  /** A file's content by path relative to the library root, or null when there is none. */
  readonly read: (path: string) => string | Uint8Array | null;
}

const NOT_FOLLOWED = new Set([
  "fastapi", "starlette", "pydantic", "pydantic_core", "pydantic_settings", "typing_extensions", "annotated_types",
  "sqlalchemy", "sqlmodel", "alembic", "uvicorn", "anyio", "httpx", "httpcore", "h11", "sniffio", "idna", "certifi",
  "email_validator", "dns", "multipart", "python_multipart", "jwt", "jose", "passlib", "bcrypt", "dotenv", "decouple", "click",
  "rich", "pygments", "markdown_it", "mdurl", "websockets", "wsproto", "uvloop", "greenlet", "aiosqlite", "pip", "wheel",
  "packaging", "setuptools", "_distutils_hack",
]);

export interface LibraryFile {
  readonly file: string;
  readonly isPackage: boolean;
  readonly content: string | Uint8Array;
}

/** Where `name` (dotted) lives in the first library that has it, or null. */
export const findLibraryModule = (libraries: ReadonlyArray<Library>, name: string): LibraryFile | null => {
  const top = name.split(".")[0] ?? name;
  if (NOT_FOLLOWED.has(top) || !/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(name)) return null;
  const relative = name.replace(/\./g, "/");
  for (const library of libraries) {
    for (const [path, isPackage] of [[`${relative}/__init__.py`, true], [`${relative}.py`, false]] as const) {
      const content = library.read(path);
      if (content !== null) return { file: `${library.label}/${path}`, isPackage, content };
    }
  }
  return null;
};

/** A site-packages (or any import root) directory on disk; files over `maxBytes` read as absent. */
export const directoryLibrary = (root: string, label: string, maxBytes = 1024 * 1024): Library => ({
  label,
  read: (path) => {
    const full = normalize(join(root, path));
    if (!full.startsWith(normalize(root))) return null;
    try {
      const stats = statSync(full);
      return stats.isFile() && stats.size <= maxBytes ? readFileSync(full) : null;
    } catch {
      return null;
    }
  },
});
