import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** Never uploaded: virtualenvs, caches, VCS and editor folders, bytecode. */
const defaultExcludes = [
  ".git/", ".hg/", ".venv/", "venv/", "env/", "__pycache__/", "node_modules/", ".mypy_cache/", ".pytest_cache/",
  ".ruff_cache/", ".tox/", ".idea/", ".vscode/", "*.egg-info/", "*.pyc", "*.pyo", ".DS_Store", "*.db", "*.sqlite3",
];

export interface UploadableProject {
  readonly files: Record<string, string>;
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
  readonly bytes: number;
}

const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);

/**
 * A .gitignore-style matcher for the common forms: `name`, `*.ext`, `dir/`, `/rooted`,
 * `path/with/slash`. Negations (`!`) are not supported and are ignored.
 */
export const makeIgnore = (patterns: ReadonlyArray<string>) => {
  const rules = patterns.map((p) => p.trim()).filter((p) => p !== "" && !p.startsWith("#") && !p.startsWith("!")).map((p) => {
    const directoryOnly = p.endsWith("/");
    const body = p.replace(/\/$/, "");
    const anchored = body.startsWith("/") || body.includes("/");
    return { directoryOnly, anchored, regex: globToRegExp(body.replace(/^\//, "")) };
  });
  return (path: string, isDirectory: boolean): boolean => rules.some((r) => {
    if (r.directoryOnly && !isDirectory) return false;
    return r.anchored ? r.regex.test(path) : r.regex.test(path.split("/").pop() ?? path);
  });
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The files of a local project as the upload API takes them (UTF-8 text), minus what should never be uploaded. */
export const readUploadableProject = (root: string, maxFileBytes = 1024 * 1024): UploadableProject => {
  let gitignore: string[] = [];
  try {
    gitignore = readFileSync(join(root, ".gitignore"), "utf8").split("\n");
  } catch { /* no .gitignore */ }
  const ignored = makeIgnore([...defaultExcludes, ...gitignore]);
  const files: Record<string, string> = {};
  const skipped: Array<{ path: string; reason: string }> = [];
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = relative(root, full).split(sep).join("/");
      if (ignored(path, entry.isDirectory())) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const size = statSync(full).size;
        if (size > maxFileBytes) {
          skipped.push({ path, reason: `${size} bytes, over the ${maxFileBytes} byte limit` });
          continue;
        }
        try {
          files[path] = utf8.decode(readFileSync(full));
          bytes += size;
        } catch {
          skipped.push({ path, reason: "not UTF-8 text" });
        }
      }
    }
  };
  walk(root);
  return { files, skipped, bytes };
};
