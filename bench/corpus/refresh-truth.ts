// Rebuilds bench/corpus/truth.json: FastAPI's route table for every corpus project, from the
// sandbox image's own Python (inside bwrap, read-only, no network), as the preview would run it.
//   node bench/corpus/refresh-truth.ts
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CORPUS_ROOT, corpusProjects, TRUTH_FILE } from "./projects.ts";

const imagesDir = process.env["ORCHESTRATOR_RUNTIME_IMAGE_DIR"] ?? "/var/cache/preview-platform/images";
const image = existsSync(imagesDir) ? readdirSync(imagesDir).map((hash) => join(imagesDir, hash, "root")).find((root) => existsSync(join(root, "usr/bin/python3"))) : undefined;
if (!image) {
  process.stderr.write(`refresh-truth: no built sandbox image under ${imagesDir} (npm run runtime:build)\n`);
  process.exit(2);
}
const truthScript = fileURLToPath(new URL("../../test/extractor/fastapi_truth.py", import.meta.url));
const projects = corpusProjects();
const jobs = projects.map((project) => ({ dir: join("/tmp/corpus", project.dir.slice(CORPUS_ROOT.length)), entry: project.entry }));
const output = execFileSync("bwrap", [
  "--ro-bind", image, "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
  "--ro-bind", CORPUS_ROOT, "/tmp/corpus", "--ro-bind", truthScript, "/tmp/fastapi_truth.py",
  "--unshare-all", "--die-with-parent", "--chdir", "/tmp",
  "/usr/bin/python3", "/tmp/fastapi_truth.py",
], { input: JSON.stringify(jobs), encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 600_000, env: { PATH: "/usr/bin:/bin", HOME: "/tmp", PYTHONDONTWRITEBYTECODE: "1" } });
const results = JSON.parse(output) as Array<{ routes?: Array<{ method: string; path: string }>; error?: string }>;
const truth: Record<string, { routes: string[] } | { error: string }> = {};
projects.forEach((project, index) => {
  const result = results[index];
  truth[project.id] = result?.routes
    ? { routes: [...new Set(result.routes.map((route) => `${route.method} ${route.path}`))].sort() }
    : { error: (result?.error ?? "no result").trim().split("\n").slice(-1)[0] ?? "" };
});
writeFileSync(TRUTH_FILE, `${JSON.stringify(truth, null, 1)}\n`);
const failed = Object.values(truth).filter((entry) => "error" in entry).length;
process.stdout.write(`${projects.length} projects, ${projects.length - failed} with a route table, ${failed} the image cannot import; written to ${TRUTH_FILE}\n`);
