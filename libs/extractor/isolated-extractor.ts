// Extraction in a worker process with a heap cap and a wall-time kill, so no input (however it
// defeats the interpreter's own budgets: a huge parse, a bug, runaway memory) can take the
// service down or hold it: the worker dies alone and the caller gets a `budget_exceeded`
// diagnostic naming the budget (memory or wall time), while other extractions run in their own
// workers. A bounded number run at once; the rest wait their turn. A worker that answered
// serves later extractions warm (extraction-workers.ts).
import { fileURLToPath } from "node:url";
import { Effect, Layer } from "effect";
import { build } from "esbuild";
import { PeerUnavailable } from "../peers/errors.ts";
import { EndpointExtractor } from "./contract.ts";
import type { ExtractOptions } from "./contract.ts";
import type { ExtractionResult } from "./endpoint.ts";
import { makeWorkerPool, type WorkerProgram } from "./extraction-workers.ts";
import type { ExtractionWorker } from "./extraction-workers.ts";

declare const Deno: unknown;
const isDeno = typeof Deno !== "undefined";

export interface IsolationLimits {
  /** V8 old-generation heap of one extraction worker, in MiB. */
  readonly heapMb: number;
  /** Wall-clock time one extraction may take, from its worker's start (or its turn on a warm one), in ms. */
  readonly wallTimeMs: number;
  /** Extractions running at once; more wait for a free slot. */
  readonly concurrency: number;
  /** Under Deno, the dirs a worker may read (the library roots); all when not given. */
  readonly readableDirs?: ReadonlyArray<string>;
}

const entry = fileURLToPath(new URL("./extract-worker-entry.ts", import.meta.url));

// Deno runs the .ts entry itself (and the extractor may not start esbuild's process there).
// Node's own TypeScript loading of the extractor's modules takes a worker about half a second:
// the entry is bundled once per service process with esbuild, in memory, and handed to each worker.
let nodeBundle: Promise<string> | undefined;
const workerProgram = (limits: IsolationLimits) => async (): Promise<WorkerProgram> => {
  if (isDeno) return { runtime: "deno", entry, ...(limits.readableDirs === undefined ? {} : { readableDirs: limits.readableDirs }) };
  nodeBundle ??= build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: ["es2022"],
    logLevel: "silent",
  }).then((result) => result.outputFiles[0]?.text ?? "");
  return { runtime: "node", bundle: await nodeBundle };
};

export const budgetExceeded = (budget: "memory" | "wall time", limit: string): ExtractionResult => ({
  endpoints: [],
  diagnostics: [
    {
      file: "",
      line: 0,
      severity: "error",
      code: "budget_exceeded",
      message: `${budget} budget (${limit}) exceeded; the extraction was stopped and lists nothing`,
    },
  ],
});

const makeSlots = (size: number) => {
  let free = Math.max(1, size);
  const waiting: Array<() => void> = [];
  return {
    take: Effect.callback<void>((resume) => {
      const grant = () => resume(Effect.void);
      if (free > 0) {
        free -= 1;
        grant();
        return;
      }
      waiting.push(grant);
      return Effect.sync(() => {
        const index = waiting.indexOf(grant);
        if (index >= 0) waiting.splice(index, 1);
      });
    }),
    give: Effect.sync(() => {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    }),
  };
};

type Pool = ReturnType<typeof makeWorkerPool>;

/** One extraction in a worker; the answer as JSON text (the worker's own, or a budget's result stringified). */
const runInWorker = (pool: Pool, files: Readonly<Record<string, string>>, options: ExtractOptions, limits: IsolationLimits) =>
  Effect.callback<string, PeerUnavailable>((resume) => {
    let worker: ExtractionWorker | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const finish = (outcome: Effect.Effect<string, PeerUnavailable>, reusable = false) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (reusable) worker?.release();
      else worker?.kill();
      resume(outcome);
    };
    const unavailable = (reason: string) => Effect.fail(new PeerUnavailable({ peer: "endpoint extractor", reason }));
    pool.take().then(
      (taken) => {
        worker = taken;
        if (settled) {
          taken.release();
          return;
        }
        timer = setTimeout(() => finish(Effect.succeed(JSON.stringify(budgetExceeded("wall time", `${limits.wallTimeMs} ms`)))), limits.wallTimeMs);
        taken.run({ files, ...(options.entry === undefined ? {} : { entry: options.entry }), ...(options.env === undefined ? {} : { env: options.env }), libraries: options.libraries ?? [] }, (outcome) => {
          if (outcome.kind === "answer") finish(Effect.succeed(outcome.json), true);
          else if (outcome.kind === "out of memory") finish(Effect.succeed(JSON.stringify(budgetExceeded("memory", `${limits.heapMb} MiB heap`))));
          else finish(unavailable(outcome.reason));
        });
      },
      (error: unknown) => finish(unavailable(`the extraction worker could not be built: ${error instanceof Error ? error.message : String(error)}`)),
    );
    return Effect.sync(() => finish(unavailable("interrupted")));
  });

/** The extractor, each extraction in a bounded worker process (warm ones reused, extraction-workers.ts). */
export const IsolatedEndpointExtractor = (limits: IsolationLimits) =>
  Layer.effect(
    EndpointExtractor,
    Effect.gen(function* () {
      const slots = makeSlots(limits.concurrency);
      const pool = yield* Effect.acquireRelease(
        Effect.sync(() => makeWorkerPool(workerProgram(limits), { heapMb: limits.heapMb })),
        (pool) => Effect.promise(() => pool.close()),
      );
      const extractJson = (files: Readonly<Record<string, string>>, options: ExtractOptions) =>
        Effect.acquireUseRelease(slots.take, () => runInWorker(pool, files, options, limits), () => slots.give);
      return EndpointExtractor.of({
        extract: (files, options) => Effect.map(extractJson(files, options), (json) => JSON.parse(json) as ExtractionResult),
        extractJson,
      });
    }),
  );
