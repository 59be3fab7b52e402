// FastAPI's own route tables, from the sandbox image's Python (inside bwrap: read-only, no
// network), as a preview would import the project. Used by the corpus truth refreshers.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface ImageTruthJob {
  /** Directory the project is imported from, inside `/tmp/corpus` (the bound `hostDir`). */
  readonly dir: string;
  readonly entry: string;
  readonly standIns?: ReadonlyArray<string>;
  readonly env?: Readonly<Record<string, string>>;
}

export const imageRoot = (): string => {
  const imagesDir = process.env["ORCHESTRATOR_RUNTIME_IMAGE_DIR"] ?? "/var/cache/preview-platform/images";
  const root = existsSync(imagesDir)
    ? readdirSync(imagesDir).map((hash) => join(imagesDir, hash, "root")).find((candidate) => existsSync(join(candidate, "usr/bin/python3")))
    : undefined;
  if (!root) throw new Error(`no built sandbox image under ${imagesDir} (npm run runtime:build)`);
  return root;
};

const scriptDir = fileURLToPath(new URL("../../test/extractor/", import.meta.url));

/** Routes (`METHOD /path`, sorted, unique) or the import's last error line, per job. */
export const imageTruth = (hostDir: string, jobs: ReadonlyArray<ImageTruthJob>): Array<{ routes: string[] } | { error: string }> => {
  // A writable copy: some projects open log files in their directory at import.
  const copy = mkdtempSync(join(tmpdir(), "corpus-truth-"));
  let output: string;
  try {
    cpSync(hostDir, copy, { recursive: true });
    output = runTruth(copy, jobs);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  const results = JSON.parse(output) as Array<{ routes?: Array<{ method: string; path: string }>; error?: string }>;
  return jobs.map((_, index) => {
    const result = results[index];
    return result?.routes
      ? { routes: [...new Set(result.routes.map((route) => `${route.method} ${route.path}`))].sort() }
      : { error: (result?.error ?? "no result").trim().split("\n").slice(-1)[0] ?? "" };
  });
};

const runTruth = (copy: string, jobs: ReadonlyArray<ImageTruthJob>): string =>
  execFileSync("bwrap", [
    "--ro-bind", imageRoot(), "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
    "--bind", copy, "/tmp/corpus",
    "--ro-bind", join(scriptDir, "fastapi_truth.py"), "/tmp/truth/fastapi_truth.py",
    "--ro-bind", join(scriptDir, "standin.py"), "/tmp/truth/standin.py",
    "--unshare-all", "--die-with-parent", "--chdir", "/tmp",
    "/usr/bin/python3", "/tmp/truth/fastapi_truth.py",
  ], { input: JSON.stringify(jobs), encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 600_000, env: { PATH: "/usr/bin:/bin", HOME: "/tmp", PYTHONDONTWRITEBYTECODE: "1" } });
