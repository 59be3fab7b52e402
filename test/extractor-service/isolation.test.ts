// The extractor service against hostile input: each extraction runs in its own worker thread,
// so one that runs too long or grows too big is killed alone and answered with a named
// `budget_exceeded` diagnostic, while the service keeps answering everyone else.
import { afterAll, describe, expect, it } from "vitest";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { callApi } from "../support/api.ts";
import { testInternalToken } from "../support/test-orchestrator.ts";
import { extractorFixture, filesOf, startTestExtractor, type TestExtractor } from "./support.ts";

// The 289-byte main.py (a list doubled 26 times, then ten more loops of it), next to
// 20 modules of 1 MB each: parsing them alone is seconds of work the interpreter's budgets never see.
const doubling = `x = [1]\nfor i in range(26):\n    x = x + x\n${"for i in range(26):\n    x = x + x\n".repeat(10)}`;
const hostile = (): Record<string, string> => {
  const line = "value = [1, 2, 3, {'a': (4, 5)}, call(b, c=1)]\n";
  const files: Record<string, string> = { "main.py": `from fastapi import FastAPI\napp = FastAPI()\n${doubling}` };
  for (let i = 0; i < 20; i++) files[`bulk${i}.py`] = line.repeat(Math.floor(1_000_000 / line.length));
  return files;
};
const basic = filesOf(extractorFixture("basic"));

const started: TestExtractor[] = [];
afterAll(async () => {
  await Promise.all(started.map((service) => service.dispose()));
});
const start = async (overrides: Record<string, string>) => {
  const service = await startTestExtractor(overrides);
  started.push(service);
  return service;
};
const extract = (service: TestExtractor, files: Record<string, string>) =>
  callApi<{ endpoints: unknown[]; diagnostics: Array<{ code: string; message: string }> }>(service.url, "POST", "/internal/extract", {
    json: { files },
    headers: { "x-internal-token": testInternalToken },
  });
const expected = JSON.parse(JSON.stringify(extractEndpoints(basic))) as unknown;

describe("extraction isolation", () => {
  it("answers another extraction while a hostile one is still running", async () => {
    // Long enough for the small project's answer; the hostile one may finish or be stopped after it.
    const service = await start({ WALL_TIME_MS: "20000", CONCURRENCY: "2" });
    const finished: string[] = [];
    const slow = extract(service, hostile()).then((res) => {
      finished.push("hostile");
      return res;
    });
    const normal = await extract(service, basic);
    finished.push("normal");
    expect(normal.status).toBe(200);
    expect(normal.body).toEqual(expected);
    expect((await slow).status).toBe(200);
    expect(finished).toEqual(["normal", "hostile"]);
  }, 600_000);

  it("kills an extraction over its wall time and says so, then serves the next request", async () => {
    const service = await start({ WALL_TIME_MS: "1000" });
    const res = await extract(service, hostile());
    expect(res.status).toBe(200);
    expect(res.body.endpoints).toEqual([]);
    expect(res.body.diagnostics).toEqual([
      expect.objectContaining({ code: "budget_exceeded", message: expect.stringMatching(/^wall time budget \(1000 ms\) exceeded/) }),
    ]);
    // Still serving (with a 1 s budget even a small answer may be cut on a busy machine; either is an answer).
    const next = await extract(service, { "main.py": "x = 1\n" });
    expect(next.status).toBe(200);
    expect(next.body.endpoints).toEqual([]);
  }, 600_000);

  it("kills an extraction over its heap cap and says so, then serves the next request", async () => {
    const service = await start({ WORKER_HEAP_MB: "48", WALL_TIME_MS: "600000" });
    // Several times over: V8 over a heap cap may abort the whole process (it did in a worker thread).
    for (let round = 0; round < 3; round++) {
      const res = await extract(service, hostile());
      expect(res.status).toBe(200);
      expect(res.body.diagnostics).toEqual([
        expect.objectContaining({ code: "budget_exceeded", message: expect.stringMatching(/^memory budget \(48 MiB heap\) exceeded/) }),
      ]);
    }
    const after = await start({});
    expect((await extract(after, basic)).body).toEqual(expected);
    expect((await extract(service, { "main.py": "x = 1\n" })).status).toBe(200);
  }, 600_000);
});
