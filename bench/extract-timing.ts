// Timing for bench:extract: wall time and process CPU time (every thread: the worker, GC), best
// of N after a first run. On a shared machine the wall figure moves with the load; the CPU
// figure much less, so both are printed beside the load average.
import { cpus, loadavg } from "node:os";
import { Effect, ManagedRuntime } from "effect";
import type { Layer } from "effect";
import { EndpointExtractor } from "../libs/extractor/contract.ts";
import type { ExtractionResult } from "../libs/extractor/endpoint.ts";
import { IsolatedEndpointExtractor } from "../libs/extractor/isolated-extractor.ts";

export interface Timing<T> {
  /** The first run (a cold JIT, a fresh worker). */
  readonly firstMs: number;
  readonly firstCpuMs: number;
  /** Best of the following runs. */
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly result: T;
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

export const timeBest = async <T>(runs: number, run: () => T | Promise<T>): Promise<Timing<T>> => {
  const measure = async () => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const result = await run();
    return { wall: performance.now() - start, cpu: cpuMs(cpu), result };
  };
  const first = await measure();
  let wallMs = Number.POSITIVE_INFINITY;
  let best = Number.POSITIVE_INFINITY;
  let result = first.result;
  for (let i = 0; i < runs; i++) {
    const next = await measure();
    wallMs = Math.min(wallMs, next.wall);
    best = Math.min(best, next.cpu);
    result = next.result;
  }
  return { firstMs: first.wall, firstCpuMs: first.cpu, wallMs, cpuMs: best, result };
};

/** Extractions the way the extractor service runs them: in a worker thread with its heap cap (warm workers reused). */
export const workerPath = (heapMb: number) => {
  const runtime = ManagedRuntime.make(IsolatedEndpointExtractor({ heapMb, wallTimeMs: 600_000, concurrency: 1 }) as Layer.Layer<EndpointExtractor>);
  return {
    extract: (files: Readonly<Record<string, string>>): Promise<ExtractionResult> =>
      runtime.runPromise(Effect.gen(function* () {
        return yield* (yield* EndpointExtractor).extract(files, {});
      })),
    dispose: () => runtime.dispose(),
  };
};

export const loadLine = (): string => `load average ${loadavg().map((value) => value.toFixed(2)).join(", ")} on ${cpus().length} cores`;
