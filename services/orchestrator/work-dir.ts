import { copyFile, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

export interface PreparedWorkDir {
  readonly usesAsyncEngine: boolean;
}

/** Copies a generation into a preview's own work dir (the preview may write there) and notes what the launch needs to know. */
export const prepareWorkDir = async (source: string, target: string): Promise<PreparedWorkDir> => {
  let usesAsyncEngine = false;
  const copy = async (from: string, to: string): Promise<void> => {
    await mkdir(to, { recursive: true });
    for (const entry of await readdir(from, { withFileTypes: true })) {
      const src = join(from, entry.name);
      const dst = join(to, entry.name);
      if (entry.isDirectory()) await copy(src, dst);
      else if (entry.isFile()) {
        await copyFile(src, dst);
        if (!usesAsyncEngine && entry.name.endsWith(".py")) usesAsyncEngine = (await readFile(src, "utf8")).includes("create_async_engine");
      }
    }
  };
  await copy(source, target);
  return { usesAsyncEngine };
};

export const removeWorkDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });

/** A per-preview SQLite file in the work dir, with the async driver when the project needs one. */
export const databaseUrlFor = (prepared: PreparedWorkDir): string =>
  `${prepared.usesAsyncEngine ? "sqlite+aiosqlite" : "sqlite"}:///./.preview.db`;
