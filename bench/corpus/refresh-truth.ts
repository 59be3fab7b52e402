// Rebuilds both corpora's truth files: FastAPI's route table for every project, from the sandbox
// image's own Python (image-python.ts), as the preview would run it.
//   node bench/corpus/refresh-truth.ts
import { writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { imageTruth } from "./image-python.ts";
import { CORPUS_ROOT, corpusProjects, TRUTH_FILE } from "./projects.ts";
import { REAL_WORLD_TRUTH, realWorldProjects } from "./real-world.ts";

type Truth = Record<string, { routes: string[] } | { error: string }>;
const write = (file: string, ids: string[], results: ReturnType<typeof imageTruth>): void => {
  const truth: Truth = {};
  ids.forEach((id, index) => (truth[id] = results[index] ?? { error: "no result" }));
  writeFileSync(file, `${JSON.stringify(truth, null, 1)}\n`);
  const failed = Object.values(truth).filter((entry) => "error" in entry).length;
  process.stdout.write(`${ids.length} projects, ${ids.length - failed} with a route table, ${failed} the image cannot import; written to ${file}\n`);
};

const docs = corpusProjects();
write(TRUTH_FILE, docs.map((project) => project.id), imageTruth(CORPUS_ROOT, docs.map((project) => ({ dir: `/tmp/corpus/${relative(CORPUS_ROOT, project.dir)}`, entry: project.entry }))));

const { projects, unavailable } = realWorldProjects();
for (const missing of unavailable) process.stderr.write(`refresh-truth: ${missing.id} left out: ${missing.reason}\n`);
if (projects.length > 0) {
  const cache = dirname(projects[0]?.checkout ?? "");
  const results = imageTruth(cache, projects.map((project) => ({
    dir: `/tmp/corpus/${relative(cache, project.dir)}`, entry: project.entry, standIns: project.standIns, env: project.env,
  })));
  write(REAL_WORLD_TRUTH, projects.map((project) => project.id), results);
  projects.forEach((project, index) => {
    const result = results[index];
    if (result && "error" in result) process.stderr.write(`  ${project.id}: ${result.error}\n`);
  });
}
