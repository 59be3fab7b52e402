// The real-world corpus: public FastAPI applications (real-world.json names each by repository,
// commit and the directory Python imports it from), read from the git mirrors the `fetch` tool
// keeps (CORPUS_MIRROR_DIR, default /work/.mirror) and unpacked once into a cache directory.
// Their code is never copied into this repository. What the extractor reads is what a preview
// of the project would hold: every .py file under the root and its launch files (Dockerfile,
// Procfile, pyproject.toml...), without tests (they build apps of their own) and without the
// entry: the extractor must find the app uvicorn would serve by itself.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CorpusProject } from "./projects.ts";
import { exampleProjects } from "./projects.ts";

export const REAL_WORLD_MANIFEST = fileURLToPath(new URL("./real-world.json", import.meta.url));
export const REAL_WORLD_TRUTH = fileURLToPath(new URL("./real-world-truth.json", import.meta.url));

export interface ManifestProject {
  readonly id: string;
  /** owner/name on GitHub. */
  readonly repo: string;
  readonly commit: string;
  /** The directory (in the repository) Python imports the project from. */
  readonly root: string;
  /** module:attr uvicorn serves (the ground truth's entry; the extractor is not told). */
  readonly entry?: string;
  /** A directory of documentation examples, one project each (projects.ts). */
  readonly examples?: boolean;
  /** Absent third-party packages that build no routes, stood in for when FastAPI builds the truth. */
  readonly standIns?: ReadonlyArray<string>;
  readonly env?: Readonly<Record<string, string>>;
  /** The project's own example environment file (repository path), set for the truth's import. */
  readonly envFile?: string;
  /** Only these repository paths are unpacked (a mirror may lack a repository's largest files). */
  readonly paths?: ReadonlyArray<string>;
}

export interface RealWorldProject extends CorpusProject {
  /** The unpacked repository (the truth binds it into the sandbox). */
  readonly checkout: string;
  readonly standIns: ReadonlyArray<string>;
  readonly env: Readonly<Record<string, string>>;
}

export const manifestProjects = (): ManifestProject[] =>
  (JSON.parse(readFileSync(REAL_WORLD_MANIFEST, "utf8")) as { projects: ManifestProject[] }).projects;

const mirrorDir = (): string => process.env["CORPUS_MIRROR_DIR"] ?? "/work/.mirror";
const cacheDir = (): string => process.env["CORPUS_CACHE_DIR"] ?? join(tmpdir(), "extract-corpus");

/** The repository at the commit, unpacked (once) from its mirror; throws naming what is missing. */
export const checkout = (repo: string, commit: string, paths: ReadonlyArray<string> = []): string => {
  const target = join(cacheDir(), `${repo.replace("/", "+")}@${commit}`);
  if (existsSync(target)) return target;
  const gitDir = join(mirrorDir(), repo.replace("/", "+"), "repo");
  if (!existsSync(gitDir)) throw new Error(`no mirror of ${repo} under ${mirrorDir()} (fetch github:${repo})`);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    const archive = join(partial, ".archive.tar");
    execFileSync("git", ["--git-dir", gitDir, "archive", "--format=tar", "-o", archive, commit, ...paths], { stdio: ["ignore", "ignore", "pipe"] });
    execFileSync("tar", ["-xf", archive, "-C", partial], { stdio: ["ignore", "ignore", "pipe"] });
    rmSync(archive);
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (existsSync(target)) return target; // another process unpacked it meanwhile
    throw error;
  }
  return target;
};

const TEST_PATH = /(^|\/)(tests?|testing)\/|(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/;
const LAUNCH_FILE = /(^|\/)(Procfile|Dockerfile|Makefile|pyproject\.toml|[^/]*\.sh)$/;
const SKIPPED_DIRS = new Set([".git", ".venv", "venv", "node_modules", "__pycache__", "frontend"]);
const MAX_FILE_BYTES = 1024 * 1024;

const readTree = (dir: string, prefix: string, out: Map<string, Uint8Array>): void => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) readTree(full, `${path}/`, out);
    } else if (entry.isFile() && (path.endsWith(".py") || LAUNCH_FILE.test(path)) && !TEST_PATH.test(path) && statSync(full).size <= MAX_FILE_BYTES) {
      out.set(path, readFileSync(full));
    }
  }
};

/** KEY=value lines of a dotenv file (comments, blank lines and `export ` skipped, one pair of quotes removed). */
const envFileValues = (file: string): Record<string, string> => {
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1]) continue;
    const raw = match[2] ?? "";
    values[match[1]] = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw.replace(/\s+#.*$/, "");
  }
  return values;
};

/** Every project of the manifest that can be read here, and why the others cannot. */
export const realWorldProjects = (): { projects: RealWorldProject[]; unavailable: Array<{ id: string; reason: string }> } => {
  const projects: RealWorldProject[] = [];
  const unavailable: Array<{ id: string; reason: string }> = [];
  for (const spec of manifestProjects()) {
    let tree: string;
    try {
      tree = checkout(spec.repo, spec.commit, spec.paths);
    } catch (error) {
      unavailable.push({ id: spec.id, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const dir = join(tree, spec.root);
    const extra = { checkout: tree, standIns: spec.standIns ?? [], env: { ...(spec.envFile ? envFileValues(join(tree, spec.envFile)) : {}), ...spec.env } };
    if (spec.examples) {
      for (const example of exampleProjects(dir)) projects.push({ ...example, id: `${spec.id}/${example.id}`, ...extra });
      continue;
    }
    const files = new Map<string, Uint8Array>();
    readTree(dir, "", files);
    projects.push({ id: spec.id, dir, entry: spec.entry ?? "main:app", files, ...extra });
  }
  return { projects, unavailable };
};
