import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ReviseBody } from "../../libs/generations/contract.ts";
import { InvalidRequest } from "../../libs/http/request-errors.ts";

/** Every file of a stored generation, as text (uploads are UTF-8 text), by its relative path. */
export const readStoredFiles = async (dir: string): Promise<Record<string, string>> => {
  const files: Record<string, string> = {};
  const walk = async (at: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) await walk(join(at, entry.name), path);
      else if (entry.isFile()) files[path] = await readFile(join(at, entry.name), "utf8");
    }
  };
  await walk(dir, "");
  return files;
};

/** The new version's whole file set: `files` as given, or the current files with `changes` applied. */
export const revisedFiles = (current: Readonly<Record<string, string>>, body: ReviseBody): Record<string, string> | InvalidRequest => {
  if ((body.files === undefined) === (body.changes === undefined)) {
    return new InvalidRequest({ message: "Give either files (the whole new set) or changes (path → new text, or null to delete), not both and not neither", details: { field: "files" } });
  }
  if (body.files !== undefined) return { ...body.files };
  const next: Record<string, string> = { ...current };
  for (const [path, text] of Object.entries(body.changes ?? {})) {
    if (text !== null) next[path] = text;
    else if (path in next) delete next[path];
    else return new InvalidRequest({ message: `Cannot delete ${JSON.stringify(path)}: the generation has no such file`, details: { path } });
  }
  return next;
};

/** Paths added, changed or removed between two file sets (paths normalised). */
export const changedPaths = (before: Readonly<Record<string, string>>, after: ReadonlyArray<{ readonly path: string; readonly content: Buffer }>): string[] => {
  const changed: string[] = [];
  const seen = new Set<string>();
  for (const f of after) {
    seen.add(f.path);
    const old = before[f.path];
    if (old === undefined || !Buffer.from(old, "utf8").equals(f.content)) changed.push(f.path);
  }
  for (const path of Object.keys(before)) if (!seen.has(path)) changed.push(path);
  return changed.sort();
};
