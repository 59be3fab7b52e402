// Warm extraction worker processes. Each extraction runs in a process of its own with a V8 heap
// cap, not in a worker thread: over its heap limit V8 may abort the whole process rather than end
// the thread (one large allocation, an array grown by push: nodejs/node#47224, #65019), and an
// extraction must never take the service down. Starting a process costs more than most
// extractions (a cold JIT, the bundled extractor loaded), so one that answered goes back to an
// idle list and serves the next extraction; one that ran over a budget, failed or exited is
// ended and never reused. Idle processes do not keep the service alive, end after IDLE_MS, and
// each serves at most MAX_EXTRACTIONS, so whatever an extraction leaves in its heap is bounded.
import { type ChildProcess, spawn } from "node:child_process";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";

const IDLE_MS = 30_000;
const MAX_EXTRACTIONS = 64;
/** Longest answer line read from a worker (a result is bounded by the interpreter's budgets far below this). */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;
/** What is kept of a worker's stderr: its last words when it dies (V8's out-of-memory report). */
const STDERR_TAIL_BYTES = 8 * 1024;
/** V8's words when it ends a process over its heap cap (Node: "Reached heap limit", Deno: the GC trace). */
const outOfMemory = /out of memory|heap limit|Last few GCs/i;

export interface WorkerRequest {
  readonly files: Readonly<Record<string, string>>;
  readonly entry?: string;
  readonly libraries: ReadonlyArray<string>;
  readonly env?: Readonly<Record<string, string>>;
}

export type WorkerOutcome =
  /** The worker's result as its JSON text (parsed only by a caller that needs the objects). */
  | { readonly kind: "answer"; readonly json: string }
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

/** How a worker process starts: Node runs the bundled extractor, Deno the entry file itself. */
export type WorkerProgram =
  | { readonly runtime: "node"; readonly bundle: string }
  | { readonly runtime: "deno"; readonly entry: string; readonly readableDirs?: ReadonlyArray<string> };

export interface WorkerLimits {
  /** V8 old-generation heap of one worker process, in MiB. */
  readonly heapMb: number;
}

// Node: a small program given on the command line reads the bundle from fd 3 (a bundle is larger
// than one argument may be) and imports it; the request stream stays on stdin.
const nodeLoader = [
  "const { readFileSync } = await import('node:fs');",
  "const code = readFileSync(3, 'utf8');",
  "await import('data:text/javascript;base64,' + Buffer.from(code).toString('base64'));",
].join("\n");

/**
 * The worker process, with no environment of the service's (no platform secret reaches it).
 * Under Deno it may read only the library dirs (no network, no writes, no runs).
 */
const startProcess = (program: WorkerProgram, limits: WorkerLimits): ChildProcess => {
  const heap = `--max-old-space-size=${limits.heapMb}`;
  if (program.runtime === "deno") {
    const read = program.readableDirs === undefined ? "--allow-read" : `--allow-read=${program.readableDirs.join(",")}`;
    const cache = Object.fromEntries(["DENO_DIR", "HOME", "XDG_CACHE_HOME"].flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name] as string]])));
    // Its environment holds only where Deno caches (lezer reads LOG at import: reading it must not throw).
    return spawn(process.execPath, ["run", "--no-prompt", read, "--allow-env", `--v8-flags=${heap}`, program.entry], { stdio: ["pipe", "pipe", "pipe"], env: cache });
  }
  const child = spawn(process.execPath, [heap, "--input-type=module", "-e", nodeLoader], { stdio: ["pipe", "pipe", "pipe", "pipe"], env: {} });
  (child.stdio[3] as Writable).end(program.bundle);
  return child;
};

let started = 0;
/** Worker processes started by this process so far (tests prove reuse with it). */
export const extractionWorkersStarted = (): number => started;

interface Slot {
  readonly child: ChildProcess;
  served: number;
  /** The answer line being read, and the outcome's taker while a request runs. */
  answer: Buffer[];
  answerBytes: number;
  stderrTail: string;
  onOutcome: ((outcome: WorkerOutcome) => void) | undefined;
}

const holdOpen = (slot: Slot, held: boolean) => {
  for (const stream of [slot.child.stdin, slot.child.stdout, slot.child.stderr]) {
    const socket = stream as Socket | null;
    if (held) socket?.ref?.();
    else socket?.unref?.();
  }
  if (held) slot.child.ref();
  else slot.child.unref();
};

export const makeWorkerPool = (program: () => Promise<WorkerProgram>, limits: WorkerLimits) => {
  const idle: Array<{ slot: Slot; timer: ReturnType<typeof setTimeout> }> = [];
  const alive = new Set<Slot>();
  let closed = false;

  const settle = (slot: Slot, outcome: WorkerOutcome) => {
    const taker = slot.onOutcome;
    slot.onOutcome = undefined;
    taker?.(outcome);
  };

  const readAnswer = (slot: Slot, chunk: Buffer) => {
    const newline = chunk.indexOf(10);
    if (newline === -1) {
      slot.answer.push(chunk);
      slot.answerBytes += chunk.length;
      if (slot.answerBytes > MAX_ANSWER_BYTES) {
        slot.child.kill("SIGKILL");
        settle(slot, { kind: "failed", reason: `the extraction's answer is over ${MAX_ANSWER_BYTES / 1024 / 1024} MiB` });
      }
      return;
    }
    slot.answer.push(chunk.subarray(0, newline));
    const line = Buffer.concat(slot.answer).toString("utf8");
    slot.answer = [];
    slot.answerBytes = 0;
    const space = line.indexOf(" ");
    settle(slot, { kind: "answer", json: line.slice(space + 1) });
  };

  const spawnSlot = async (): Promise<Slot> => {
    const child = startProcess(await program(), limits);
    started += 1;
    const slot: Slot = { child, served: 0, answer: [], answerBytes: 0, stderrTail: "", onOutcome: undefined };
    alive.add(slot);
    child.stdout?.on("data", (chunk: Buffer) => readAnswer(slot, chunk));
    child.stderr?.on("data", (chunk: Buffer) => {
      slot.stderrTail = (slot.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
    });
    // A worker gone mid-write to its stdin: its exit says why.
    child.stdin?.on("error", () => undefined);
    child.on("error", (error) => settle(slot, { kind: "failed", reason: `the extraction process could not start: ${error.message}` }));
    // "close", not "exit": it comes once stderr is read to its end, V8's out-of-memory words included.
    child.once("close", (code, signal) => {
      alive.delete(slot);
      const entry = idle.find((candidate) => candidate.slot === slot);
      if (entry) retire(entry);
      const lastWords = slot.stderrTail.trim().split("\n").at(-1) ?? "";
      settle(slot, outOfMemory.test(slot.stderrTail)
        ? { kind: "out of memory" }
        : { kind: "failed", reason: `the extraction process exited (${signal ?? code}) without an answer${lastWords === "" ? "" : `: ${lastWords}`}` });
    });
    return slot;
  };

  const take = async (): Promise<ExtractionWorker> => {
    const reused = idle.pop();
    if (reused) clearTimeout(reused.timer);
    const slot = reused?.slot ?? (await spawnSlot());
    holdOpen(slot, true);
    const id = slot.served + 1;
    return {
      run: (request, done) => {
        slot.onOutcome = done;
        if (slot.child.exitCode !== null || slot.child.signalCode !== null) {
          settle(slot, { kind: "failed", reason: "the extraction process had exited" });
          return;
        }
        slot.child.stdin?.write(`${JSON.stringify({ id, ...request })}\n`);
      },
      release: () => {
        slot.onOutcome = undefined;
        slot.served += 1;
        if (closed || slot.served >= MAX_EXTRACTIONS) {
          slot.child.stdin?.end(); // its stdin's end ends it
          return;
        }
        holdOpen(slot, false);
        const entry = { slot, timer: setTimeout(() => retire(entry), IDLE_MS) };
        entry.timer.unref?.();
        idle.push(entry);
      },
      kill: () => {
        slot.onOutcome = undefined;
        slot.child.kill("SIGKILL");
      },
    };
  };

  const retire = (entry: (typeof idle)[number]) => {
    const index = idle.indexOf(entry);
    if (index >= 0) idle.splice(index, 1);
    clearTimeout(entry.timer);
    entry.slot.child.stdin?.end();
  };

  /** Ends every worker process (a busy one's extraction is over: its caller was interrupted) and waits for them. */
  const close = async (): Promise<void> => {
    closed = true;
    for (const entry of idle.splice(0)) clearTimeout(entry.timer);
    const ending = [...alive].map((slot) => new Promise<void>((resolve) => {
      const { child } = slot;
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      holdOpen(slot, true); // an idle one is unref'd: its exit would not be waited for
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    }));
    await Promise.all(ending);
  };

  return { take, close };
};
