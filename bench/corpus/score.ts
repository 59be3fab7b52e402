// Precision and recall of the extractor on the corpus against FastAPI's own route tables.
import { readFileSync } from "node:fs";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import type { CorpusProject } from "./projects.ts";
import { corpusProjects, TRUTH_FILE } from "./projects.ts";

export interface CorpusScore {
  readonly projects: number;
  readonly skipped: number;
  readonly files: number;
  readonly truthRoutes: number;
  readonly foundRoutes: number;
  readonly hits: number;
  readonly precision: number;
  readonly recall: number;
  readonly ms: number;
  /** Per project, what was missed (-) or extra (+), for the projects that are not exact. */
  readonly misses: ReadonlyArray<{ readonly id: string; readonly missing: string[]; readonly extra: string[] }>;
}

/** The documentation corpus by default; real-world.ts's projects with REAL_WORLD_TRUTH. */
export const scoreCorpus = (projects: ReadonlyArray<CorpusProject> = corpusProjects(), truthFile = TRUTH_FILE): CorpusScore => {
  const truth = JSON.parse(readFileSync(truthFile, "utf8")) as Record<string, { routes: string[] } | { error: string }>;
  let files = 0;
  let truthRoutes = 0;
  let foundRoutes = 0;
  let hits = 0;
  let skipped = 0;
  let ms = 0;
  const misses: Array<{ id: string; missing: string[]; extra: string[] }> = [];
  for (const project of projects) {
    const expected = truth[project.id];
    if (!expected || "error" in expected) {
      skipped += 1;
      continue;
    }
    const start = performance.now();
    const result = extractEndpoints(project.files, project.env ? { env: project.env } : {});
    ms += performance.now() - start;
    files += project.files.size;
    const found = new Set(result.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`));
    const wanted = new Set(expected.routes);
    const hit = [...found].filter((key) => wanted.has(key)).length;
    truthRoutes += wanted.size;
    foundRoutes += found.size;
    hits += hit;
    if (hit !== wanted.size || hit !== found.size) {
      misses.push({ id: project.id, missing: [...wanted].filter((key) => !found.has(key)), extra: [...found].filter((key) => !wanted.has(key)) });
    }
  }
  return {
    projects: projects.length - skipped, skipped, files, truthRoutes, foundRoutes, hits,
    precision: foundRoutes === 0 ? 1 : hits / foundRoutes, recall: truthRoutes === 0 ? 1 : hits / truthRoutes, ms, misses,
  };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const score = scoreCorpus();
  console.log(JSON.stringify({ ...score, misses: score.misses.length }, null, 1));
  for (const miss of score.misses) console.log(miss.id, "missing:", miss.missing.join(", "), "extra:", miss.extra.join(", "));
}
