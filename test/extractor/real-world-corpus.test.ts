// The real-world corpus (bench/corpus/real-world.json: public FastAPI applications read from the
// fetch tool's git mirrors) against FastAPI's own route tables from the sandbox image's Python,
// as bench:extract reports it. No entry is given: the extractor finds the served app itself.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { manifestProjects, realWorldProjects, REAL_WORLD_TRUTH } from "../../bench/corpus/real-world.ts";
import { scoreCorpus } from "../../bench/corpus/score.ts";

const mirrors = process.env["CORPUS_MIRROR_DIR"] ?? "/work/.mirror";

describe.skipIf(!existsSync(mirrors))(`real-world corpus (mirrors under ${mirrors})`, () => {
  const { projects, unavailable } = realWorldProjects();

  it("reads every project of the manifest from its mirror", () => {
    expect(unavailable).toEqual([]);
    expect(new Set(projects.map((project) => project.id.split("/")[0])).size).toBe(manifestProjects().length);
  });

  it("lists nothing FastAPI does not serve, and misses only what it names in a diagnostic", () => {
    const score = scoreCorpus(projects, REAL_WORLD_TRUTH);
    expect(score.projects).toBeGreaterThanOrEqual(18);
    expect(score.files).toBeGreaterThan(300);
    expect(score.precision).toBe(1);
    for (const miss of score.misses) {
      const project = projects.find((candidate) => candidate.id === miss.id);
      const warnings = project ? extractEndpoints(project.files, { env: project.env }).diagnostics.filter((d) => d.severity !== "info") : [];
      for (const route of miss.missing) {
        const path = route.slice(route.indexOf(" ") + 1);
        const tail = path.slice(path.lastIndexOf("/"));
        // The route itself is named, or the include whose router is only known at run time is (file and line either way).
        const named = warnings.some((d) => d.file !== "" && d.line > 0 && (d.message.includes(tail) || d.code === "unresolved_router"));
        expect(named, `${miss.id}: ${route} missed without a diagnostic`).toBe(true);
      }
    }
    expect(score.recall).toBeGreaterThanOrEqual(0.995);
  }, 120_000);
});
