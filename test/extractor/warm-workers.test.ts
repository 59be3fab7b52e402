// Extraction workers are processes of their own, reused while they answer (the next extraction
// runs warm instead of in a freshly started process), and a worker killed over a budget is never reused.
import { readdirSync, readFileSync } from "node:fs";
import { Effect, Layer, ManagedRuntime } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import { EndpointExtractor } from "../../libs/extractor/contract.ts";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { extractionWorkersStarted } from "../../libs/extractor/extraction-workers.ts";
import { IsolatedEndpointExtractor } from "../../libs/extractor/isolated-extractor.ts";
import { commandLine, parentPid } from "../support/service-processes.ts";

/** This test process's children whose command line holds `mark`. */
const childrenWith = (mark: string): number[] =>
  readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => parentPid(pid) === process.pid && commandLine(pid).includes(mark));

const small = { "main.py": "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/items/{item_id}')\ndef read(item_id: int):\n    return {}\n" };
const other = { "app/__init__.py": "", "app/main.py": "from fastapi import FastAPI, APIRouter\nr = APIRouter(prefix='/v1')\n\n@r.post('/x')\nasync def x():\n    pass\n\napp = FastAPI()\napp.include_router(r)\n" };
// Twenty 1 MB modules: their syntax trees alone outgrow a 48 MiB heap (the interpreter's own budgets never see a parse).
const bulky = (): Record<string, string> => {
  const line = "value = [1, 2, 3, {'a': (4, 5)}, call(b, c=1)]\n";
  const files: Record<string, string> = { "main.py": "from fastapi import FastAPI\napp = FastAPI()\n" };
  for (let i = 0; i < 20; i++) files[`bulk${i}.py`] = line.repeat(Math.floor(1_000_000 / line.length));
  return files;
};
const plain = (files: Record<string, string>) => JSON.parse(JSON.stringify(extractEndpoints(files))) as unknown;

const runtimes: Array<ManagedRuntime.ManagedRuntime<EndpointExtractor, never>> = [];
afterAll(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.dispose()));
});
const extractor = (limits: { heapMb: number; wallTimeMs: number; concurrency: number }) => {
  const runtime = ManagedRuntime.make(IsolatedEndpointExtractor(limits) as Layer.Layer<EndpointExtractor>);
  runtimes.push(runtime);
  return (files: Record<string, string>) => runtime.runPromise(Effect.gen(function* () {
    return yield* (yield* EndpointExtractor).extract(files, {});
  }));
};

describe("warm extraction workers", () => {
  it("run in a process of their own, under the heap cap, with none of the service's environment", async () => {
    const extract = extractor({ heapMb: 136, wallTimeMs: 120_000, concurrency: 1 });
    expect(await extract(small)).toEqual(plain(small));
    // Over the cap V8 may abort the whole process, not just a thread: only a process of its own keeps the service up.
    const workers = childrenWith("--max-old-space-size=136");
    expect(workers).toHaveLength(1);
    expect(workers[0]).not.toBe(process.pid);
    // No platform secret (nor anything else of the service's environment) reaches the code reading the upload.
    expect(readFileSync(`/proc/${workers[0]}/environ`, "utf8")).toBe("");
  }, 120_000);

  it("serves one extraction after another from the same worker, each answer its own", async () => {
    const extract = extractor({ heapMb: 256, wallTimeMs: 120_000, concurrency: 1 });
    const before = extractionWorkersStarted();
    expect(await extract(small)).toEqual(plain(small));
    expect(await extract(other)).toEqual(plain(other));
    expect(await extract(small)).toEqual(plain(small));
    expect(extractionWorkersStarted() - before).toBe(1);
  }, 120_000);

  it("never reuses a worker killed over its heap cap: the next extraction gets a new one and the right answer", async () => {
    const extract = extractor({ heapMb: 48, wallTimeMs: 600_000, concurrency: 1 });
    const before = extractionWorkersStarted();
    expect(await extract(small)).toEqual(plain(small));
    const killed = await extract(bulky());
    expect(killed.diagnostics).toEqual([expect.objectContaining({ code: "budget_exceeded", message: expect.stringMatching(/^memory budget \(48 MiB heap\) exceeded/) })]);
    expect(await extract(other)).toEqual(plain(other));
    expect(extractionWorkersStarted() - before).toBe(2);
  }, 600_000);
});
