// Timing for bench:extract: wall time and CPU time (every thread, GC, and the worker processes), best
// of N after a first run. On a shared machine the wall figure moves with the load; the CPU
// figure much less, so both are printed beside the load average.
import { readFileSync } from "node:fs";
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

/** CPU ms of this process's children so far (the extraction worker processes), from /proc (clock ticks of 10 ms). */
const childrenCpuMs = (): number => {
  try {
    const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8").trim().split(/\s+/).filter((pid) => pid !== "");
    return children.reduce((sum, pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const [utime = 0, stime = 0] = stat.slice(stat.lastIndexOf(")") + 2).split(" ").slice(11, 13).map(Number);
        return sum + (utime + stime) * 10;
      } catch {
        return sum;
      }
    }, 0);
  } catch {
    return 0;
  }
};

const cpuNow = (): { own: NodeJS.CpuUsage; childrenMs: number } => ({ own: process.cpuUsage(), childrenMs: childrenCpuMs() });

const cpuMs = (since: ReturnType<typeof cpuNow>): number => {
  const used = process.cpuUsage(since.own);
  return (used.user + used.system) / 1000 + Math.max(0, childrenCpuMs() - since.childrenMs);
};

export const timeBest = async <T>(runs: number, run: () => T | Promise<T>): Promise<Timing<T>> => {
  const measure = async () => {
    const cpu = cpuNow();
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

/** Extractions the way the extractor service runs them: in a worker process with its heap cap (warm workers reused). */
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
