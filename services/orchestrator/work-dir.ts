import { copyFile, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { releaseQuota } from "../../libs/runtime/disk-quota.ts";
import { databaseSettingsIn } from "./preview-environment.ts";

export interface PreparedWorkDir {
  readonly usesAsyncEngine: boolean;
  /** Names besides DATABASE_URL the project reads its database URL from (e.g. SQLALCHEMY_DATABASE_URI). */
  readonly databaseSettings: ReadonlyArray<string>;
}

/** Copies a generation into a preview's own work dir (the preview may write there) and notes what the launch needs to know. */
export const prepareWorkDir = async (source: string, target: string): Promise<PreparedWorkDir> => {
  let usesAsyncEngine = false;
  const databaseSettings = new Set<string>();
  const copy = async (from: string, to: string): Promise<void> => {
    await mkdir(to, { recursive: true });
    for (const entry of await readdir(from, { withFileTypes: true })) {
      const src = join(from, entry.name);
      const dst = join(to, entry.name);
      if (entry.isDirectory()) await copy(src, dst);
      else if (entry.isFile()) {
        await copyFile(src, dst);
        if (entry.name.endsWith(".py")) {
          const text = await readFile(src, "utf8");
          usesAsyncEngine ||= text.includes("create_async_engine");
          for (const name of databaseSettingsIn(text)) databaseSettings.add(name);
        }
      }
    }
  };
  await copy(source, target);
  return { usesAsyncEngine, databaseSettings: [...databaseSettings].sort() };
};

/** Removes a preview's work dir, after letting go of its disk quota mount if it has one. */
export const removeWorkDir = async (dir: string): Promise<void> => {
  await releaseQuota(dir);
  await rm(dir, { recursive: true, force: true });
};

/** A per-preview SQLite file in the work dir, with the async driver when the project needs one. */
export const databaseUrlFor = (prepared: PreparedWorkDir): string =>
  `${prepared.usesAsyncEngine ? "sqlite+aiosqlite" : "sqlite"}:///./.preview.db`;
