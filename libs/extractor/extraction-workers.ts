// Warm extraction workers. Starting a worker costs more than most extractions: a new V8 isolate
// loads the bundled extractor and runs it with a cold JIT (the first extraction of a large
// project takes about twice the CPU of the next). So a worker that answered goes back to an
// idle list and serves the next extraction; one that ran over a budget, failed or exited is
// ended and never reused. Idle workers do not keep the process alive, end after IDLE_MS, and
// each serves at most MAX_EXTRACTIONS, so whatever an extraction leaves in its heap is bounded.
import { Worker } from "node:worker_threads";
import type { ExtractionResult } from "./endpoint.ts";

const IDLE_MS = 30_000;
const MAX_EXTRACTIONS = 64;

export interface WorkerRequest {
  readonly files: Readonly<Record<string, string>>;
  readonly entry?: string;
  readonly libraries: ReadonlyArray<string>;
  readonly env?: Readonly<Record<string, string>>;
}

export type WorkerOutcome =
  | { readonly kind: "answer"; readonly result: ExtractionResult }
  | { readonly kind: "out of memory" }
  | { readonly kind: "failed"; readonly reason: string };

export interface ExtractionWorker {
  /** Sends one request; the outcome comes once. The worker is reusable only after an answer. */
  readonly run: (request: WorkerRequest, done: (outcome: WorkerOutcome) => void) => void;
  /** Back to the idle list (after an answer), or ended when it has served its share. */
  readonly release: () => void;
  /** Ended for good (over a budget, interrupted). */
  readonly kill: () => void;
}

declare const Deno: unknown;
const isDeno = typeof Deno !== "undefined";

let started = 0;
/** Workers started by this process so far (tests prove reuse with it). */
export const extractionWorkersStarted = (): number => started;

export const makeWorkerPool = (url: () => Promise<URL>, resourceLimits: { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number }) => {
  const idle: Array<{ worker: Worker; served: number; timer: ReturnType<typeof setTimeout> }> = [];
  let closed = false;

  const spawn = async (): Promise<{ worker: Worker; served: number }> => {
    const worker = new Worker(await url(), { resourceLimits });
    started += 1;
    // An idle worker that dies leaves the list (and its error, with no run listening, is not thrown).
    worker.on("error", () => undefined);
    worker.once("exit", () => {
      const entry = idle.find((candidate) => candidate.worker === worker);
      if (entry) retire(entry);
    });
    return { worker, served: 0 };
  };

  const take = async (): Promise<ExtractionWorker> => {
    const reused = idle.pop();
    if (reused) clearTimeout(reused.timer);
    const slot = reused ?? (await spawn());
    const { worker } = slot;
    worker.ref();
    let onMessage: ((message: { id: number; json: string }) => void) | undefined;
    let onError: ((error: Error & { code?: string }) => void) | undefined;
    let onExit: ((code: number) => void) | undefined;
    const detach = () => {
      if (onMessage) worker.off("message", onMessage);
      if (onError) worker.off("error", onError);
      if (onExit) worker.off("exit", onExit);
    };
    const id = slot.served + 1;
    return {
      run: (request, done) => {
        let settled = false;
        const settle = (outcome: WorkerOutcome) => {
          if (settled) return;
          settled = true;
          detach();
          done(outcome);
        };
        onMessage = (message) => {
          if (message.id === id) settle({ kind: "answer", result: JSON.parse(message.json) as ExtractionResult });
        };
        onError = (error) => settle(error.code === "ERR_WORKER_OUT_OF_MEMORY" ? { kind: "out of memory" } : { kind: "failed", reason: `the extraction worker failed: ${error.message}` });
        // Deno ends a worker over its heap limit with a plain exit, not an out-of-memory error.
        onExit = (code) => settle(isDeno ? { kind: "out of memory" } : { kind: "failed", reason: `the extraction worker exited (${code}) without an answer` });
        worker.on("message", onMessage);
        worker.once("error", onError);
        worker.once("exit", onExit);
        worker.postMessage({ id, ...request });
      },
      release: () => {
        detach();
        slot.served += 1;
        if (closed || slot.served >= MAX_EXTRACTIONS) {
          void worker.terminate();
          return;
        }
        worker.unref();
        const entry = { worker, served: slot.served, timer: setTimeout(() => retire(entry), IDLE_MS) };
        entry.timer.unref?.();
        idle.push(entry);
      },
      kill: () => {
        detach();
        void worker.terminate();
      },
    };
  };

  const retire = (entry: (typeof idle)[number]) => {
    const index = idle.indexOf(entry);
    if (index >= 0) idle.splice(index, 1);
    void entry.worker.terminate();
  };

  /** Ends the idle workers; busy ones end when they answer. */
  const close = async (): Promise<void> => {
    closed = true;
    const ending = idle.splice(0);
    for (const entry of ending) clearTimeout(entry.timer);
    await Promise.all(ending.map((entry) => entry.worker.terminate()));
  };

  return { take, close };
};
