// The real-world corpus (bench/corpus: FastAPI's documentation examples) against FastAPI's own
// route tables from the sandbox image's Python, as bench:extract reports it. The only misses
// allowed are the lifespan files whose bare `yield` the parser does not accept yet (issue 13).
import { describe, expect, it } from "vitest";
import { scoreCorpus } from "../../bench/corpus/score.ts";

describe("real-world corpus", () => {
  it("lists every route FastAPI serves and nothing else, project by project", () => {
    const score = scoreCorpus();
    expect(score.projects).toBeGreaterThan(250);
    expect(score.precision).toBe(1);
    const unexplained = score.misses.filter((miss) => miss.extra.length > 0 || !/^(app_testing\/tutorial004|events\/tutorial003)_py310\.py$/.test(miss.id));
    expect(unexplained).toEqual([]);
    expect(score.recall).toBeGreaterThanOrEqual(0.99);
  }, 120_000);
});
