import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * Fresh temp dirs for one test file, removed after all its tests. Call it at the file's top level,
 * before the file's own afterAll: vitest runs after-hooks in reverse order, so the processes those
 * stop are gone before their dirs are removed.
 */
export const tempDirs = (): ((prefix: string) => string) => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
};
