import { execFile } from "node:child_process";
import { realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

const canServeFastApi = async (python: string): Promise<boolean> => {
  try {
    await run(python, ["-c", "import fastapi, uvicorn"], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
};

const resolvable = (path: string): string | undefined => {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
};

/**
 * The configured Python, else the first `python3` on PATH (then the system ones) that can
 * import fastapi and uvicorn. A machine's default python3 is often a version manager's, without them.
 */
export const findPython = async (configured: string | undefined, searchPath: string): Promise<string | undefined> => {
  if (configured !== undefined) return (await canServeFastApi(configured)) ? configured : undefined;
  const candidates = [...searchPath.split(delimiter).filter((d) => d !== "").map((d) => join(d, "python3")), "/usr/bin/python3", "/usr/local/bin/python3"];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const real = resolvable(candidate);
    if (real === undefined || seen.has(real)) continue;
    seen.add(real);
    if (await canServeFastApi(candidate)) return candidate;
  }
  return undefined;
};
