// The extractor reads installed packages from disk on a caller's word, so only directories
// under roots its operator allowed (the sandbox images, the requirements venvs) may be named.
import { realpathSync, statSync } from "node:fs";
import { isAbsolute, sep } from "node:path";
import { Effect } from "effect";
import { InvalidRequest } from "../../libs/http/request-errors.ts";

const realDir = (path: string): string | undefined => {
  try {
    const real = realpathSync(path);
    return statSync(real).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
};

const refuse = (dir: string, problem: string) =>
  new InvalidRequest({ message: `Invalid library directory ${JSON.stringify(dir)}: ${problem}`, details: { field: "libraries", directory: dir, problem } });

/** The requested library dirs, each an absolute existing directory under one of `roots` (symlinks resolved), or a 400 naming the first that is not. */
export const checkLibraryDirs = (dirs: ReadonlyArray<string>, roots: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<string>, InvalidRequest> =>
  Effect.gen(function* () {
    const allowed = roots.map(realDir).filter((r): r is string => r !== undefined);
    const checked: string[] = [];
    for (const dir of dirs) {
      if (!isAbsolute(dir)) return yield* Effect.fail(refuse(dir, "not an absolute path"));
      const real = realDir(dir);
      if (real === undefined) return yield* Effect.fail(refuse(dir, "not an existing directory (or not readable by the extractor)"));
      if (!allowed.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep))) {
        return yield* Effect.fail(refuse(dir, `not under an allowed library root (EXTRACTOR_LIBRARY_ROOTS: ${roots.join(", ") || "none"})`));
      }
      checked.push(real);
    }
    return checked;
  });
