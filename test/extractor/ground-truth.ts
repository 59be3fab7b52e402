// Asks FastAPI itself (Debian's python3-fastapi under /usr/bin/python3) which routes a
// project serves, so route-set expectations are never written by hand.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface TruthRoute {
  readonly method: string;
  readonly path: string;
  readonly name: string;
  readonly file?: string | null;
  readonly line?: number | null;
  readonly tags?: string[];
  readonly deprecated?: boolean;
  readonly statusCode?: number | null;
  readonly summary?: string | null;
  readonly description?: string | null;
  readonly query?: string[];
  readonly path_params?: string[];
  readonly body?: string[];
  readonly bodyModel?: string | null;
}

export interface TruthJob {
  readonly dir: string;
  readonly entry: string; // module:attr
  /** Where source files are relative to, when not `dir` (a project that is itself a package). */
  readonly sourceRoot?: string;
  /** Installed-package directories put on sys.path (sources in them are named `<dir name>/...`). */
  readonly libraries?: ReadonlyArray<string>;
}

const SCRIPT = fileURLToPath(new URL("./fastapi_truth.py", import.meta.url));

export const fastapiRoutes = (jobs: ReadonlyArray<TruthJob>): TruthRoute[][] => {
  const output = execFileSync("/usr/bin/python3", [SCRIPT], {
    input: JSON.stringify(jobs),
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    env: { PATH: "/usr/bin:/bin", PYTHONDONTWRITEBYTECODE: "1", HOME: process.env["HOME"] ?? "/tmp" },
  });
  const results = JSON.parse(output) as Array<{ routes?: TruthRoute[]; error?: string }>;
  return results.map((result, index) => {
    if (!result.routes) throw new Error(`FastAPI could not load ${jobs[index]?.dir}: ${result.error}`);
    return result.routes;
  });
};

export const routeKey = (route: { readonly method: string; readonly path: string }): string => `${route.method} ${route.path}`;
