import { copyFile, mkdir, readdir, rename, rm, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Duration, Effect, Option } from "effect";
import type { PreviewFailure } from "../../libs/previews/failure.ts";
import { bootReportName } from "../../libs/runtime/boot/boot-program.ts";
import { readBootReport } from "../../libs/runtime/boot/boot-report.ts";
import type { LaunchSpec, PreviewProcess, PreviewRuntime, Upstream } from "../../libs/runtime/contract.ts";
import { type OutputNudges, untilAnswering } from "../../libs/runtime/readiness-backoff.ts";
import { OutputTail } from "./output-tail.ts";
import type { PreviewRows } from "./preview-rows.ts";
import { type PreparedWorkDir, prepareWorkDir, removeWorkDir } from "./work-dir.ts";

/** The process a preview serves from, its work dir, and the address the platform knows it by. */
export interface Serving {
  readonly proc: PreviewProcess;
  readonly workDir: string;
  /** Never changes across reloads for a socket: the row's, the gateway's cached route and its pools stay right. */
  readonly address: Upstream;
}

export type ReloadResult =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly message: string; readonly failure?: PreviewFailure };

export interface ReloadContext {
  readonly previewId: string;
  readonly runtime: PreviewRuntime["Service"];
  readonly rows: PreviewRows;
  readonly startupTimeoutMs: number;
  /** The launch's own spec for another work dir (same entry, environment and log); `tap` also sees each output line. */
  readonly specFor: (workDir: string, prepared: PreparedWorkDir, tap: (line: string) => void) => LaunchSpec;
  /** The process serving now, or undefined when the preview is not running. */
  readonly serving: () => Serving | undefined;
  /** Makes `next` the serving process; the supervisor follows it from now on. */
  readonly swap: (next: Serving) => void;
  /** Output lines of the preview (the new version's among them): its readiness is probed as they come. */
  readonly nudges: OutputNudges;
  /** Runs the replaced version's end in the background; the preview's own end waits for it. */
  readonly retire: (work: Effect.Effect<void>) => Effect.Effect<void>;
}

/** Relative paths of every file under `dir`. */
const filesUnder = async (dir: string, prefix = ""): Promise<string[]> => {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true }).catch(() => [])) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...await filesUnder(dir, path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
};

/**
 * What the running version wrote into its dir (its SQLite database, uploads), that is not one of the
 * generation's files, goes to the new version's dir: a reload keeps the preview's data.
 */
const carryOverState = async (runningDir: string, generationDir: string, to: string): Promise<void> => {
  const generated = new Set(await filesUnder(generationDir));
  for (const path of await filesUnder(runningDir)) {
    if (generated.has(path) || path === bootReportName) continue;
    await mkdir(dirname(join(to, path)), { recursive: true });
    await copyFile(join(runningDir, path), join(to, path)).catch(() => undefined);
  }
};

const failureIn = (workDir: string): { failure?: PreviewFailure } => {
  const failure = readBootReport(workDir)?.failure;
  return failure === undefined ? {} : { failure };
};

/**
 * The new version's socket takes the address atomically: by a rename, or, when each version's dir
 * is a disk quota mount of its own (another filesystem), by a symlink renamed over it (connecting
 * follows it).
 */
const takeAddress = async (socket: string, address: string): Promise<void> => {
  try {
    await rename(socket, address);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
    const next = `${address}.next`;
    await rm(next, { force: true });
    await symlink(socket, next);
    await rename(next, address);
  }
};

/**
 * Starts the new version beside the running one (in a warm slot when there is one), in its own work
 * dir with the running one's data carried over. Once it answers, its socket takes the running one's
 * name (a rename: atomic, so every new connection meets the new version, and the address the row and
 * the gateway hold stays right), the row follows, and the answer goes out: the old version is retired
 * after (it finishes the requests it holds, then stops, in the background), so a reload costs the new
 * version's start and nothing of the old one's graceful stop.
 * A new version that does not start is stopped and removed: the old one never stopped serving.
 */
export const reloadPreview = (ctx: ReloadContext, files: { readonly newDir: string; readonly oldDir: string }, reloadDir: string) =>
  Effect.gen(function* () {
    const started = Date.now();
    const running = ctx.serving();
    if (running === undefined) return { ok: false, message: "The preview is not running" } satisfies ReloadResult;
    const tail = new OutputTail(30);
    yield* Effect.promise(() => carryOverState(running.workDir, files.oldDir, reloadDir));
    const prepared = yield* Effect.promise(() => prepareWorkDir(files.newDir, reloadDir));
    const abandon = (message: string, proc?: PreviewProcess) =>
      Effect.gen(function* () {
        // The boot program's diagnosis, read before the dir goes.
        const failure = failureIn(reloadDir);
        if (proc !== undefined) yield* proc.stop;
        yield* Effect.promise(() => removeWorkDir(reloadDir));
        return { ok: false as const, message: tail.explain(message), ...failure };
      });
    const startedProc = yield* ctx.runtime.start(ctx.specFor(reloadDir, prepared, (line) => tail.push(line))).pipe(Effect.result);
    if (startedProc._tag === "Failure") return yield* abandon(`The new version could not start: ${startedProc.failure.message}`);
    const proc = startedProc.success;
    const outcome = yield* Effect.raceFirst(
      untilAnswering(ctx.runtime.isAnswering, proc.upstream, ctx.nudges).pipe(
        Effect.timeoutOption(Duration.millis(ctx.startupTimeoutMs)),
        Effect.map((ready) => (Option.isSome(ready) ? "ready" as const : "timeout" as const)),
      ),
      proc.exited.pipe(Effect.as("exited" as const)),
    ).pipe(Effect.onInterrupt(() => Effect.andThen(proc.stop, Effect.promise(() => removeWorkDir(reloadDir)))));
    const current = ctx.serving();
    if (outcome === "timeout") return yield* abandon(`The new version was not ready within ${ctx.startupTimeoutMs / 1000} s; the previous version still serves`, proc);
    if (outcome === "exited") return yield* abandon("The new version exited before it was ready; the previous version still serves", proc);
    if (current === undefined) return yield* abandon("The preview ended while the new version was starting", proc);
    const sealed = yield* Effect.result(proc.seal ?? Effect.void);
    if (sealed._tag === "Failure") return yield* abandon(`${sealed.failure.message}; the previous version still serves`, proc);
    const { address } = current;
    if (address.kind === "unix" && proc.upstream.kind === "unix") {
      const from = proc.upstream.path;
      yield* Effect.promise(() => takeAddress(from, address.path));
    }
    const nextAddress = address.kind === "unix" ? address : proc.upstream;
    yield* ctx.rows.update(ctx.previewId, {
      pid: proc.pid,
      processStartTicks: proc.startTicks,
      workDir: reloadDir,
      ...(nextAddress.kind === "tcp" ? { port: nextAddress.port } : {}),
    });
    ctx.swap({ proc, workDir: reloadDir, address: nextAddress });
    // The dir holding the address (the first launch's) stays until the preview ends; a replaced reload's goes with its process.
    const holdsAddress = address.kind === "unix" && address.path.startsWith(`${current.workDir}/`);
    yield* ctx.retire(current.proc.stop.pipe(Effect.andThen(holdsAddress ? Effect.void : Effect.promise(() => removeWorkDir(current.workDir)))));
    return { ok: true, ms: Date.now() - started } satisfies ReloadResult;
  });
