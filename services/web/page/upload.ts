import { api } from "../../../libs/api/routes.ts";
import { type ApiResult, apiResultOf } from "../../../libs/client/api-client.ts";
import type { GenerationView } from "../../../libs/generations/contract.ts";
import { defaultFileLimits } from "../../../libs/generations/file-limits.ts";

/** Folders and files never uploaded: virtualenvs, caches, VCS, dependencies, bytecode. */
const skippedDirs = new Set([".git", ".hg", ".venv", "venv", "env", "__pycache__", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".idea", ".vscode"]);
const skippedFile = /(\.pyc|\.pyo|\.db|\.sqlite3|\.DS_Store)$/;

export interface PickedFile {
  /** Relative to the project folder, with `/`. */
  readonly path: string;
  readonly file: File;
}

export interface ReadProject {
  readonly files: Record<string, string>;
  readonly bytes: number;
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
}

/** Whether a path (relative, `/`-separated) is worth uploading at all. */
export const wanted = (path: string): boolean => {
  const parts = path.split("/");
  return !parts.slice(0, -1).some((p) => skippedDirs.has(p) || p.endsWith(".egg-info")) && !skippedFile.test(parts[parts.length - 1] ?? "");
};

/** Drops the picked folder's own name: `shop/app/main.py` → `app/main.py`. */
const withoutRoot = (paths: ReadonlyArray<string>): ((path: string) => string) => {
  const first = paths[0]?.split("/")[0];
  const shared = first !== undefined && paths.length > 0 && paths.every((p) => p.includes("/") && p.split("/")[0] === first);
  return shared ? (p) => p.slice((first ?? "").length + 1) : (p) => p;
};

/** Files from `<input type=file webkitdirectory>`. */
export const filesOfInput = (list: FileList): PickedFile[] => {
  const all = Array.from(list, (file) => ({ file, path: file.webkitRelativePath || file.name }));
  const strip = withoutRoot(all.map((f) => f.path));
  return all.map((f) => ({ file: f.file, path: strip(f.path) })).filter((f) => wanted(f.path));
};

const entriesOf = (reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> =>
  new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    // readEntries answers in batches (100 in Chromium) until an empty one.
    const next = () => reader.readEntries((batch) => {
      if (batch.length === 0) resolve(all);
      else {
        all.push(...batch);
        next();
      }
    }, reject);
    next();
  });

const fileOf = (entry: FileSystemFileEntry): Promise<File> => new Promise((resolve, reject) => entry.file(resolve, reject));

/** Files from a drag and drop of one folder (or of several files and folders). */
export const filesOfDrop = async (items: DataTransferItemList): Promise<PickedFile[]> => {
  const roots = Array.from(items, (item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  const out: PickedFile[] = [];
  const walk = async (entry: FileSystemEntry, path: string): Promise<void> => {
    if (entry.isFile) {
      if (wanted(path)) out.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    } else if (entry.isDirectory && !skippedDirs.has(entry.name)) {
      for (const child of await entriesOf((entry as FileSystemDirectoryEntry).createReader())) await walk(child, path === "" ? child.name : `${path}/${child.name}`);
    }
  };
  // One dropped folder is the project itself: its name is not part of the paths.
  const single = roots.length === 1 && roots[0]?.isDirectory === true;
  for (const root of roots) await walk(root, single ? "" : root.name);
  return out.map((f) => ({ ...f, path: f.path.replace(/^\//, "") }));
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Reads the files as UTF-8 text, leaving out binary and oversized ones; reports progress per file. */
export const readProject = async (picked: ReadonlyArray<PickedFile>, onProgress: (done: number, total: number) => void): Promise<ReadProject> => {
  const files: Record<string, string> = {};
  const skipped: Array<{ path: string; reason: string }> = [];
  let bytes = 0;
  let done = 0;
  for (const { path, file } of picked) {
    if (file.size > defaultFileLimits.maxFileBytes) skipped.push({ path, reason: "over 1 MiB" });
    else {
      const data = new Uint8Array(await file.arrayBuffer());
      let text: string | undefined;
      try {
        text = data.subarray(0, 8000).includes(0) ? undefined : utf8.decode(data);
      } catch {
        text = undefined;
      }
      if (text === undefined) skipped.push({ path, reason: "binary" });
      else {
        files[path] = text;
        bytes += data.byteLength;
      }
    }
    onProgress(++done, picked.length);
  }
  return { files, bytes, skipped };
};

/** POST /api/generations with XMLHttpRequest, for its upload progress events (fetch has none). */
export const sendProject = (
  baseUrl: string,
  token: string,
  body: { readonly files: Record<string, string>; readonly projectId?: string },
  onProgress: (sent: number, total: number) => void,
): Promise<ApiResult<GenerationView>> =>
  new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(api.createGeneration.method.toUpperCase(), `${baseUrl}${api.createGeneration.path}`);
    xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.setRequestHeader("content-type", "application/json");
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : e.loaded);
    xhr.onload = () => resolve(apiResultOf(xhr.status, xhr.responseText, xhr.getResponseHeader("x-request-id"), api.createGeneration));
    xhr.onerror = () => resolve(apiResultOf(0, "", null, api.createGeneration));
    xhr.send(JSON.stringify(body));
  });
