import { type ChildProcess, spawn } from "node:child_process";
import { Deferred, Duration, Effect } from "effect";
import type { Writable } from "node:stream";
import { LineSplitter } from "../logsink/line-splitter.ts";
import type { OutputChunk, ProcessExit } from "./contract.ts";
import { inCgroup, killCgroup, type PreviewCgroup, releaseCgroup } from "./cgroups.ts";
import { RuntimeUnavailable } from "./errors.ts";
import { adoptedGuard, type OrphanGuardOptions, startOrphanGuard } from "./orphan-guard.ts";
import { createOutputPipes, followOutput, settleOutput } from "./output-pipes.ts";
import { isRunningProcess, readStartTicks, signalGroup } from "./process-identity.ts";

export interface GroupSpec {
  readonly command: string;
  readonly args: ReadonlyArray<string>;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly onOutput: (chunk: OutputChunk) => void;
  readonly stopGraceMs: number;
  /** Runs once the group is gone, before `exited` completes (e.g. to release a port). */
  readonly onGone: Effect.Effect<void>;
  /**
   * Output through FIFOs in this directory (libs/runtime/output-pipes.ts), so the group outlives
   * the orchestrator and a later one can adopt it; without it, plain pipes to this process.
   */
  readonly outputDir?: string | undefined;
  /** Keep a pipe to the leader's stdin (a warm slot reads its launch there); else stdin is closed. */
  readonly stdin?: boolean;
  /** A control group the leader joins before it execs the command (libs/runtime/cgroups.ts); removed when gone. */
  readonly cgroup?: PreviewCgroup | undefined;
  /** With `outputDir`: the group stops itself if no orchestrator beats for the grace (libs/runtime/orphan-guard.ts). */
  readonly orphanGuard?: OrphanGuardOptions | undefined;
}

export interface SpawnedGroup {
  readonly pid: number;
  readonly startTicks: string;
  readonly exited: Effect.Effect<ProcessExit>;
  readonly stop: Effect.Effect<ProcessExit>;
  /** The leader's stdin, when the spec asked for it. */
  readonly stdin?: Writable;
}

const captureLines = (child: ChildProcess, onOutput: (chunk: OutputChunk) => void) => {
  for (const stream of ["stdout", "stderr"] as const) {
    const splitter = new LineSplitter((line) => onOutput({ stream, line }));
    child[stream]?.on("data", (chunk: Buffer) => splitter.push(chunk));
    child[stream]?.on("end", () => splitter.end());
  }
};

/** SIGTERM to the group, SIGKILL after the grace period; completes when it has exited. */
const stopGroup = (pid: number, exited: Effect.Effect<ProcessExit>, graceMs: number) =>
  Effect.gen(function* () {
    signalGroup(pid, "SIGTERM");
    const graceful = yield* exited.pipe(Effect.timeoutOption(Duration.millis(graceMs)));
    if (graceful._tag === "Some") return graceful.value;
    signalGroup(pid, "SIGKILL");
    return yield* exited;
  });

/**
 * Starts a command as the leader of its own process group (so a stop reaches everything it
 * forked) with exactly the environment given, and captures its output line by line.
 */
export const spawnGroup = (spec: GroupSpec): Effect.Effect<SpawnedGroup, RuntimeUnavailable> =>
  Effect.gen(function* () {
    const exitDeferred = yield* Deferred.make<ProcessExit>();
    const gone = spec.onGone.pipe(Effect.ensuring(releaseCgroup(spec.cgroup)));
    const outputDir = spec.outputDir;
    const pipes = outputDir === undefined ? undefined : yield* Effect.tryPromise({
      try: () => createOutputPipes(outputDir),
      catch: (e) => new RuntimeUnavailable({ message: `Could not create the preview's output pipes in ${outputDir}: ${String(e)}` }),
    }).pipe(Effect.onError(() => gone));
    const { command, args } = inCgroup(spec.cgroup, spec.command, spec.args);
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: [spec.stdin === true ? "pipe" : "ignore", ...(pipes === undefined ? ["pipe", "pipe"] as const : [pipes.fds[0], pipes.fds[1]])],
    });
    yield* Effect.callback<void, RuntimeUnavailable>((resume) => {
      child.once("spawn", () => resume(Effect.void));
      child.once("error", (e) => resume(Effect.fail(new RuntimeUnavailable({ message: `Could not start ${spec.command}: ${e.message}` }))));
    }).pipe(Effect.ensuring(Effect.sync(() => pipes?.close())), Effect.onError(() => gone));
    const pid = child.pid as number;
    const startTicks = readStartTicks(pid) ?? "";
    const follower = outputDir === undefined ? undefined : followOutput(outputDir, spec.onOutput);
    if (follower === undefined) captureLines(child, spec.onOutput);
    const guard = outputDir === undefined || spec.orphanGuard === undefined ? undefined
      : startOrphanGuard(spec.orphanGuard, { pid, startTicks }, outputDir, spec.cgroup?.procsFiles);
    // Anything the leader left behind in its group would keep our pipes open; it goes with the leader.
    child.once("exit", () => {
      guard?.end();
      signalGroup(pid, "SIGKILL");
      killCgroup(spec.cgroup);
    });
    child.once("close", (code, signal) => {
      const done = gone.pipe(Effect.andThen(Deferred.succeed(exitDeferred, { code, signal })));
      // The FIFOs go once all was read from them (or the leader's grace is spent).
      Effect.runFork(follower === undefined || outputDir === undefined ? done : Effect.promise(() => settleOutput(follower, outputDir)).pipe(Effect.andThen(done)));
    });
    const exited = Deferred.await(exitDeferred);
    const stop = stopGroup(pid, exited, spec.stopGraceMs);
    // A leader that exits before reading its stdin must not crash us with EPIPE.
    child.stdin?.on("error", () => {});
    return child.stdin === null ? { pid, startTicks, exited, stop } : { pid, startTicks, exited, stop, stdin: child.stdin };
  });

export interface AdoptSpec {
  readonly pid: number;
  readonly startTicks: string;
  readonly outputDir: string;
  readonly onOutput: (chunk: OutputChunk) => void;
  readonly stopGraceMs: number;
  readonly onGone: Effect.Effect<void>;
  readonly cgroup?: PreviewCgroup | undefined;
}

const leaderPollMs = 200;
export const adoptedExit: ProcessExit = {
  code: null,
  signal: null,
  reason: "ended; its exit status is unknown (it was re-adopted after an orchestrator restart)",
};

/**
 * Takes over a group a previous orchestrator started (its output through FIFOs): undefined when
 * the leader is no longer that process (gone, or its pid reused). It is not our child, so its end
 * is seen by polling the leader's identity in /proc; the rest of the group goes with it, as above.
 */
export const adoptGroup = (spec: AdoptSpec): Effect.Effect<SpawnedGroup | undefined> =>
  Effect.gen(function* () {
    if (!isRunningProcess(spec.pid, spec.startTicks)) return undefined;
    const exitDeferred = yield* Deferred.make<ProcessExit>();
    const follower = followOutput(spec.outputDir, spec.onOutput);
    // Its guard goes on watching for an orchestrator (this one beats now) and is ended with it.
    const guard = adoptedGuard(spec.outputDir);
    const watch = setInterval(() => {
      if (isRunningProcess(spec.pid, spec.startTicks)) return;
      clearInterval(watch);
      guard.end();
      signalGroup(spec.pid, "SIGKILL");
      killCgroup(spec.cgroup);
      Effect.runFork(Effect.promise(() => settleOutput(follower, spec.outputDir)).pipe(
        Effect.andThen(spec.onGone),
        Effect.ensuring(releaseCgroup(spec.cgroup)),
        Effect.andThen(Deferred.succeed(exitDeferred, adoptedExit)),
      ));
    }, leaderPollMs);
    const exited = Deferred.await(exitDeferred);
    return { pid: spec.pid, startTicks: spec.startTicks, exited, stop: stopGroup(spec.pid, exited, spec.stopGraceMs) };
  });
