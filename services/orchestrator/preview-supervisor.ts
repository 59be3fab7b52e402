import { constants } from "node:os";
import { Deferred, Duration, Effect, Option, Semaphore } from "effect";
import { LevelParser } from "../../libs/logsink/level.ts";
import { type LogLineInput, type LogSink, systemLine } from "../../libs/logsink/contract.ts";
import type { PreviewStatus } from "../../libs/previews/contract.ts";
import type { AppEntry } from "../../libs/runtime/entry.ts";
import type { LaunchSpec, OutputChunk, PreviewProcess, PreviewRuntime, ProcessExit, Upstream } from "../../libs/runtime/contract.ts";
import { formatEntry } from "../../libs/runtime/entry.ts";
import { OutputNudges, untilAnswering } from "../../libs/runtime/readiness-backoff.ts";
import { readBootReport } from "../../libs/runtime/boot/boot-report.ts";
import type { PreviewFailure } from "../../libs/previews/failure.ts";
import { diagnoseFailure, type FailureCause, failureSummary } from "./failure-diagnosis.ts";
import { type LostLines, takeLostLines } from "../../libs/logs/delivery-ledger.ts";
import { OutputTail } from "./output-tail.ts";
import { type ReloadResult, reloadPreview, type Serving } from "./preview-reload.ts";
import type { PreviewPatch, PreviewRows } from "./preview-rows.ts";
import { previewEnvironment } from "./preview-environment.ts";
import { databaseUrlFor, type PreparedWorkDir, prepareWorkDir, removeWorkDir } from "./work-dir.ts";

export type StopReason = { readonly status: "stopped" | "expired"; readonly message: string };

export interface SupervisorDeps {
  readonly rows: PreviewRows;
  readonly runtime: PreviewRuntime["Service"];
  readonly sink: LogSink["Service"];
  readonly startupTimeoutMs: number;
  /** The log sink's delivery ledgers (libs/logs/delivery-ledger.ts): what a crashed orchestrator lost of a preview it re-adopts. */
  readonly ledgerDir?: string;
}

export interface PreviewLaunch {
  readonly previewId: string;
  readonly sourceDir: string;
  readonly workDir: string;
  readonly entry: AppEntry;
  /** The user's variables for the app (validated); never logged. */
  readonly env: Readonly<Record<string, string>>;
  /** Set when a previous orchestrator started it: take over that process instead of launching. */
  readonly adopt?: Adoption;
}

/** What a row remembers of a preview a previous orchestrator started. */
export interface Adoption {
  readonly pid: number;
  readonly startTicks: string;
  readonly upstream: Upstream;
  /** It was `running` (not still `launching`) when its orchestrator went away. */
  readonly wasRunning: boolean;
}

/** One live preview, from launch to its last status. */
export interface Supervision {
  /** Asks the preview to end as `reason` says, and waits until it has. */
  readonly stop: (reason: StopReason) => Effect.Effect<void>;
  /** Completes when the launch settles: `running`, or the status it ended with. */
  readonly settled: Effect.Effect<PreviewStatus>;
  /** Runs the preview to its end; fork it, and interrupt it to stop the preview at shutdown. */
  readonly run: Effect.Effect<void>;
  /**
   * Switches the running preview to the files in `newDir` in place (preview-reload.ts); `oldDir` holds
   * the version running now. One reload at a time; the log says how it went, with `change`.
   */
  readonly reload: (dirs: { readonly newDir: string; readonly oldDir: string }, change: string) => Effect.Effect<ReloadResult>;
}

const describeExit = (exit: ProcessExit): { exitCode: number | null; text: string } => {
  if (exit.code !== null) return { exitCode: exit.code, text: `exited with code ${exit.code}` };
  const number = exit.signal === null ? undefined : constants.signals[exit.signal as NodeJS.Signals];
  return { exitCode: number === undefined ? null : 128 + number, text: exit.reason ?? `killed by ${exit.signal ?? "an unknown signal"}` };
};

/** What the re-adoption line says of lines lost: those the dead orchestrator had read but not delivered. */
export const lostLinesNote = (lost: LostLines | undefined): string => {
  if (lost === undefined) return "only lines the previous orchestrator had already read but not yet delivered when it stopped, if any, are missing";
  if (lost.atMost === 0) return "no line was lost";
  const count = lost.atLeast === lost.atMost ? String(lost.atMost) : `${lost.atLeast} to ${lost.atMost}`;
  const plural = lost.atMost !== 1 || lost.atLeast !== lost.atMost;
  const onTheWay = lost.atMost - lost.atLeast;
  return `${count} ${plural ? "lines" : "line"} the previous orchestrator had read but not yet delivered when it stopped ${plural ? "are" : "is"} lost` +
    (onTheWay === 0 ? "" : ` (${onTheWay} ${onTheWay === 1 ? "was" : "were"} on the way to the logs service, and may have arrived)`);
};

export const makeSupervision = (deps: SupervisorDeps, launch: PreviewLaunch) =>
  Effect.gen(function* () {
    const { rows, runtime, sink } = deps;
    const id = launch.previewId;
    const stopRequested = yield* Deferred.make<StopReason>();
    const settledDeferred = yield* Deferred.make<PreviewStatus>();
    const finished = yield* Deferred.make<void>();
    const tail = new OutputTail(30);
    // The process serving while running; a reload replaces it (and its dir) in place.
    let serving: Serving | undefined;
    let swapped = Deferred.makeUnsafe<void>();
    let reloads = 0;
    const reloadLock = yield* Semaphore.make(1);
    const parsers = { stdout: new LevelParser("INFO"), stderr: new LevelParser("INFO") };
    const emit = (line: LogLineInput) => sink.emit(id, [line]);
    const system = (message: string, level: LogLineInput["level"] = "INFO") => emit(systemLine(message, level));

    // Versions a reload replaced, still finishing their requests; the preview ends after them.
    const retiring = new Set<Deferred.Deferred<void>>();
    const retire = (work: Effect.Effect<void>) =>
      Effect.gen(function* () {
        const done = yield* Deferred.make<void>();
        retiring.add(done);
        yield* Effect.forkDetach(work.pipe(Effect.ensuring(Effect.andThen(Effect.sync(() => retiring.delete(done)), Deferred.succeed(done, undefined)))));
      });

    // The work dir goes before the final status is written: whoever sees the status sees it gone.
    const finish = (status: PreviewStatus, patch: PreviewPatch, message: string) =>
      Effect.forEach([...retiring], Deferred.await, { discard: true }).pipe(Effect.andThen(Effect.sync(() => {
        const dirs = [launch.workDir, serving?.workDir ?? launch.workDir];
        serving = undefined;
        return dirs;
      }))).pipe(Effect.flatMap((dirs) => Effect.promise(() => Promise.all(dirs.map(removeWorkDir)))), Effect.andThen(rows.finishIfLive(id, { status, stoppedAt: Date.now(), ...patch })), Effect.map((ended) => {
        if (ended) {
          system(message, status === "failed" || status === "crashed" ? "ERROR" : "INFO");
          sink.statusChanged(id, status);
        }
      }), Effect.andThen(Deferred.succeed(settledDeferred, status)));

    const fail = (message: string, exitCode: number | null = null, failure?: PreviewFailure) =>
      finish("failed", { exitCode, errorMessage: message, ...(failure === undefined ? {} : { failure: JSON.stringify(failure) }) }, message);
    // Read before the work dir goes: the boot program's report is in it.
    const diagnosed = (proc: PreviewProcess, cause: FailureCause) => {
      // After a live reload the serving version's dir has the report.
      const dir = serving?.workDir ?? launch.workDir;
      const failure = diagnoseFailure(cause, readBootReport(dir), dir, proc.unresolvedRequirements ?? []);
      system(`failure: ${failureSummary(failure)}`, "ERROR");
      return failure;
    };

    // Every line may mean the app now listens: a readiness check waiting on it probes at once.
    const nudges = new OutputNudges();
    const onOutput = ({ stream, line }: OutputChunk) => {
      nudges.nudge();
      tail.push(line);
      emit({ timestamp: new Date().toISOString(), level: parsers[stream].levelOf(line), source: stream, message: line });
    };

    const superviseProcess = (proc: PreviewProcess, startedAt: number, wasRunning = false) =>
      Effect.gen(function* () {
        yield* rows.update(id, {
          pid: proc.pid,
          processStartTicks: proc.startTicks,
          port: proc.upstream.kind === "tcp" ? proc.upstream.port : null,
          socketPath: proc.upstream.kind === "unix" ? proc.upstream.path : null,
        });
        const readiness = yield* Effect.raceFirst(
          untilAnswering(runtime.isAnswering, proc.upstream, nudges).pipe(
            Effect.timeoutOption(Duration.millis(deps.startupTimeoutMs)),
            Effect.map((ready) => (Option.isSome(ready) ? { _tag: "ready" as const } : { _tag: "timeout" as const })),
          ),
          Effect.raceFirst(
            proc.exited.pipe(Effect.map((exit) => ({ _tag: "exited" as const, exit }))),
            Deferred.await(stopRequested).pipe(Effect.map((reason) => ({ _tag: "stop" as const, reason }))),
          ),
        );
        switch (readiness._tag) {
          case "exited": {
            const { exitCode, text } = describeExit(readiness.exit);
            const failure = diagnosed(proc, { _tag: "exited", exit: readiness.exit, text });
            return yield* fail(tail.explain(`The preview ${text} before it was ready (${failureSummary(failure)})`), exitCode, failure);
          }
          case "timeout": {
            yield* proc.stop;
            const failure = diagnosed(proc, { _tag: "timeout", seconds: deps.startupTimeoutMs / 1000 });
            return yield* fail(tail.explain(`The preview was not ready within ${deps.startupTimeoutMs / 1000} s`), null, failure);
          }
          case "stop": {
            const exit = yield* proc.stop;
            return yield* finish(readiness.reason.status, { exitCode: describeExit(exit).exitCode }, readiness.reason.message);
          }
          case "ready":
        }
        // Nothing reaches it before its address is one it cannot redirect.
        const sealed = yield* Effect.result(proc.seal ?? Effect.void);
        if (sealed._tag === "Failure") {
          const exit = yield* proc.stop;
          return yield* fail(sealed.failure.message, describeExit(exit).exitCode);
        }
        if (!wasRunning) {
          const now = Date.now();
          yield* rows.update(id, { status: "running", startedAt: now, lastActivityAt: now, healthStatus: "healthy", lastHealthCheck: now });
          system(`ready in ${now - startedAt} ms${proc.warm === true ? " (warm)" : ""}`);
          sink.statusChanged(id, "running");
        }
        serving = { proc, workDir: launch.workDir, address: proc.upstream };
        yield* Deferred.succeed(settledDeferred, "running");

        // Follows the serving process across reloads: the one replaced ends without ending the preview.
        for (;;) {
          const now: Serving = serving;
          const ending = yield* Effect.raceFirst(
            now.proc.exited.pipe(Effect.map((exit) => ({ _tag: "exited" as const, exit }))),
            Effect.raceFirst(
              Deferred.await(stopRequested).pipe(Effect.map((reason) => ({ _tag: "stop" as const, reason }))),
              Deferred.await(swapped).pipe(Effect.as({ _tag: "swapped" as const })),
            ),
          );
          if (ending._tag === "swapped" || (ending._tag === "exited" && serving !== now)) continue;
          if (ending._tag === "stop") {
            const exit = yield* now.proc.stop;
            return yield* finish(ending.reason.status, { exitCode: describeExit(exit).exitCode }, ending.reason.message);
          }
          const { exitCode, text } = describeExit(ending.exit);
          const failure = diagnosed(now.proc, { _tag: "exited", exit: ending.exit, text });
          return yield* finish("crashed", { exitCode, errorMessage: tail.explain(`The preview ${text}`), failure: JSON.stringify(failure) }, `The preview ${text}`);
        }
      });

    const adopt = (adoption: Adoption) =>
      Effect.gen(function* () {
        // Read before this orchestrator takes any of its lines (its own ledger starts from nothing).
        const lost = deps.ledgerDir === undefined ? undefined : takeLostLines(deps.ledgerDir, id);
        const proc = yield* runtime.adopt({ previewId: id, workDir: launch.workDir, pid: adoption.pid, startTicks: adoption.startTicks, upstream: adoption.upstream, onOutput });
        if (proc === undefined) {
          const message = "The preview's process was gone when the orchestrator restarted";
          return yield* finish("crashed", { errorMessage: message }, message);
        }
        system(`The orchestrator restarted; the preview kept running (pid ${proc.pid}) and was re-adopted. What it printed meanwhile follows; ${lostLinesNote(lost)}`, "WARN");
        yield* superviseProcess(proc, Date.now(), adoption.wasRunning).pipe(Effect.onInterrupt(() => proc.stop));
      });

    /** A launch's spec for a work dir: the first launch's, and each reload's. */
    const environmentOf = (prepared: PreparedWorkDir) =>
      previewEnvironment({ userEnv: launch.env, databaseUrl: databaseUrlFor(prepared), databaseSettings: prepared.databaseSettings });
    const specFor = (workDir: string, prepared: PreparedWorkDir, output: (chunk: OutputChunk) => void): LaunchSpec => ({
      previewId: id,
      workDir,
      entry: launch.entry,
      // Served at the root of its own origin (libs/config/origins.ts): no prefix for its docs to add.
      rootPath: "",
      env: environmentOf(prepared).env,
      onSystemLine: (message, level) => system(message, level),
      onOutput: output,
    });

    const reload = (dirs: { readonly newDir: string; readonly oldDir: string }, change: string) =>
      reloadLock.withPermits(1)(Effect.gen(function* () {
        const result = yield* reloadPreview({
          previewId: id, runtime, rows, startupTimeoutMs: deps.startupTimeoutMs,
          specFor: (workDir, prepared, tap) => specFor(workDir, prepared, (chunk) => {
            tap(chunk.line);
            onOutput(chunk);
          }),
          serving: () => serving,
          nudges,
          retire,
          swap: (next) => {
            serving = next;
            const wake = swapped;
            swapped = Deferred.makeUnsafe<void>();
            Deferred.doneUnsafe(wake, Effect.void);
          },
        }, dirs, `${launch.workDir}.r${++reloads}`);
        if (result.ok) system(`reloaded in ${result.ms} ms: ${change}`);
        else system(`reload failed, the previous version still serves: ${result.message}`, "WARN");
        return result;
      }));

    const launchNew = Effect.gen(function* () {
      const startedAt = Date.now();
      sink.statusChanged(id, "launching");
      system(`launching ${formatEntry(launch.entry)} on the ${runtime.name} runtime`);
      const prepared = yield* Effect.tryPromise(() => prepareWorkDir(launch.sourceDir, launch.workDir));
      for (const v of environmentOf(prepared).announced) system(`${v.name}=${v.value} is set by the platform: ${v.reason}`);
      for (const name of environmentOf(prepared).kept) system(`${name} comes from the launch's env; the platform's SQLite stand-in is not used`);
      const proc = yield* runtime.start(specFor(launch.workDir, prepared, onOutput));
      // Interrupted (the orchestrator shutting down) → the process is stopped before the status is written.
      yield* superviseProcess(proc, startedAt).pipe(Effect.onInterrupt(() => (serving?.proc ?? proc).stop));
    });

    const run = (launch.adopt === undefined ? launchNew : adopt(launch.adopt)).pipe(
      Effect.catch((e) => fail(`The preview could not start: ${e instanceof Error ? e.message : String(e)}`)),
      // A bug or a refused permission must still end the launch, or a waiting client would hang.
      Effect.catchDefect((defect) =>
        Effect.logError("preview supervisor defect", defect).pipe(Effect.andThen(fail("The platform could not start the preview (internal error)")))),
      Effect.onInterrupt(() => finish("stopped", {}, "The platform shut down; the preview was stopped")),
      Effect.ensuring(Effect.promise(() => removeWorkDir(launch.workDir))),
      Effect.ensuring(Deferred.succeed(finished, undefined)),
    );

    const supervision: Supervision = {
      stop: (reason) => Deferred.succeed(stopRequested, reason).pipe(Effect.andThen(Deferred.await(finished))),
      settled: Deferred.await(settledDeferred),
      run,
      reload,
    };
    return supervision;
  });
