import { type ChildProcess, spawn } from "node:child_process";
import { Deferred, Duration, Effect } from "effect";
import { LineSplitter } from "../logsink/line-splitter.ts";
import type { OutputChunk, ProcessExit } from "./contract.ts";
import { RuntimeUnavailable } from "./errors.ts";
import { readStartTicks, signalGroup } from "./process-identity.ts";

export interface GroupSpec {
  readonly command: string;
  readonly args: ReadonlyArray<string>;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly onOutput: (chunk: OutputChunk) => void;
  readonly stopGraceMs: number;
  /** Runs once the group is gone, before `exited` completes (e.g. to release a port). */
  readonly onGone: Effect.Effect<void>;
}

export interface SpawnedGroup {
  readonly pid: number;
  readonly startTicks: string;
  readonly exited: Effect.Effect<ProcessExit>;
  readonly stop: Effect.Effect<ProcessExit>;
}

const captureLines = (child: ChildProcess, onOutput: (chunk: OutputChunk) => void) => {
  for (const stream of ["stdout", "stderr"] as const) {
    const splitter = new LineSplitter((line) => onOutput({ stream, line }));
    child[stream]?.on("data", (chunk: Buffer) => splitter.push(chunk));
    child[stream]?.on("end", () => splitter.end());
  }
};

/**
 * Starts a command as the leader of its own process group (so a stop reaches everything it
 * forked) with exactly the environment given, and captures its output line by line.
 */
export const spawnGroup = (spec: GroupSpec): Effect.Effect<SpawnedGroup, RuntimeUnavailable> =>
  Effect.gen(function* () {
    const exitDeferred = yield* Deferred.make<ProcessExit>();
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    yield* Effect.callback<void, RuntimeUnavailable>((resume) => {
      child.once("spawn", () => resume(Effect.void));
      child.once("error", (e) => resume(Effect.fail(new RuntimeUnavailable({ message: `Could not start ${spec.command}: ${e.message}` }))));
    }).pipe(Effect.onError(() => spec.onGone));
    const pid = child.pid as number;
    const startTicks = readStartTicks(pid) ?? "";
    captureLines(child, spec.onOutput);
    // Anything the leader left behind in its group would keep our pipes open; it goes with the leader.
    child.once("exit", () => signalGroup(pid, "SIGKILL"));
    child.once("close", (code, signal) => {
      Effect.runFork(spec.onGone.pipe(Effect.andThen(Deferred.succeed(exitDeferred, { code, signal }))));
    });
    const exited = Deferred.await(exitDeferred);
    const stop = Effect.gen(function* () {
      signalGroup(pid, "SIGTERM");
      const graceful = yield* exited.pipe(Effect.timeoutOption(Duration.millis(spec.stopGraceMs)));
      if (graceful._tag === "Some") return graceful.value;
      signalGroup(pid, "SIGKILL");
      return yield* exited;
    });
    return { pid, startTicks, exited, stop };
  });
