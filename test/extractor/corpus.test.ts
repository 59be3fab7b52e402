// The real-world corpus (bench/corpus: FastAPI's documentation examples) against FastAPI's own
// route tables from the sandbox image's Python, as bench:extract reports it.
import { describe, expect, it } from "vitest";
import { scoreCorpus } from "../../bench/corpus/score.ts";

describe("real-world corpus", () => {
  it("lists every route FastAPI serves and nothing else, project by project", () => {
    const score = scoreCorpus();
    expect(score.projects).toBeGreaterThan(250);
    expect(score.misses).toEqual([]);
    expect(score.precision).toBe(1);
    expect(score.recall).toBe(1);
  }, 120_000);
});
