// Reads a project directory (or one .py file) into the map extractEndpoints takes.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";

export const SKIPPED_DIRECTORIES = new Set([".venv", "venv", "__pycache__", ".git", "node_modules"]);
export const MAX_FILE_BYTES = 1024 * 1024;

export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

export interface ProjectOnDisk {
  readonly files: Map<string, Uint8Array>;
  readonly skipped: SkippedFile[];
}

/** Throws (ENOENT) when the path does not exist. */
export const readProject = (path: string): ProjectOnDisk => {
  const files = new Map<string, Uint8Array>();
  const skipped: SkippedFile[] = [];
  const stats = statSync(path);
  if (stats.isFile()) {
    files.set(basename(path), readFileSync(path));
    return { files, skipped };
  }
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = join(directory, entry.name);
      const relativePath = relative(path, full).split(sep).join("/");
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) walk(full);
      } else if (entry.isFile()) {
        const size = statSync(full).size;
        if (size > MAX_FILE_BYTES) skipped.push({ path: relativePath, reason: `${size} bytes, over the 1 MiB limit` });
        else files.set(relativePath, readFileSync(full));
      }
    }
  };
  walk(path);
  return { files, skipped };
};
