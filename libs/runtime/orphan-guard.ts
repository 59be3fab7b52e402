import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Effect, type Scope } from "effect";
import { isRunningProcess, readStartTicks } from "./process-identity.ts";

/**
 * A preview outlives its orchestrator so that the next one can re-adopt it. If none ever comes
 * back, it must not run for good: each preview has a guard, a small shell loop outside the
 * orchestrator, that stops the preview's process group once the orchestrator's heartbeat file is
 * older than the grace. A restarted orchestrator beats again, so a re-adopted preview's guard
 * keeps waiting. The guard ends by itself once its preview is gone.
 */
export interface OrphanGuardOptions {
  /** The file the orchestrator touches while it runs. */
  readonly heartbeat: string;
  readonly graceSeconds: number;
  /** How long the group gets between SIGTERM and SIGKILL. */
  readonly stopGraceSeconds: number;
}

export const heartbeatIntervalMs = (graceSeconds: number): number => Math.max(1000, Math.min(30_000, (graceSeconds * 1000) / 4));
const pollSeconds = (graceSeconds: number): number => Math.max(1, Math.min(5, Math.floor(graceSeconds / 3)));

/**
 * Touches the heartbeat file now and then while the scope is open (the timer never holds the
 * process). An orderly close removes it: every preview was stopped before the runtime closes, and
 * to any guard left a missing heartbeat reads as stale.
 */
export const keepHeartbeat = (file: string, graceSeconds: number): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      mkdirSync(dirname(file), { recursive: true });
      const beat = () => {
        const now = new Date();
        try {
          utimesSync(file, now, now);
        } catch {
          closeSync(openSync(file, "a"));
        }
      };
      beat();
      const timer = setInterval(beat, heartbeatIntervalMs(graceSeconds));
      timer.unref();
      return timer;
    }),
    (timer) => Effect.sync(() => {
      clearInterval(timer);
      rmSync(file, { force: true });
    }),
  ).pipe(Effect.asVoid);

/**
 * The guard: while the leader (pid and start time) runs, checks the heartbeat's age; past the
 * grace it signals the group (and every process still in the preview's cgroups) TERM, then KILL.
 * Arguments: leader, start ticks, heartbeat, grace, stop grace, poll, then cgroup.procs files.
 */
const guardScript = `
leader=$1 ticks=$2 beat=$3 grace=$4 stopgrace=$5 every=$6
shift 6
alive() {
  s=$(cat /proc/$leader/stat 2>/dev/null) || return 1
  set -- \${s##*) }
  [ "$1" != Z ] && [ "\${20}" = "$ticks" ]
}
while alive; do
  last=$(stat -c %Y "$beat" 2>/dev/null || echo 0)
  if [ $(( $(date +%s) - last )) -gt "$grace" ]; then
    kill -TERM -"$leader" 2>/dev/null
    waited=0
    while alive && [ $waited -lt "$stopgrace" ]; do sleep 1; waited=$((waited + 1)); done
    alive && kill -KILL -"$leader" 2>/dev/null
    for procs in "$@"; do for pid in $(cat "$procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done; done
    exit 0
  fi
  sleep "$every"
done
`;

/** Where a group's guard is noted (beside its output FIFOs), so an orchestrator that adopts the group can end it too. */
const guardFile = (outputDir: string): string => join(outputDir, "guard");

export interface GuardHandle {
  /** Ends the guard (its preview ended under an orchestrator's eyes). */
  readonly end: () => void;
}

const endGuard = (pid: number, ticks: string | undefined) => () => {
  if (ticks === undefined || !isRunningProcess(pid, ticks)) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
};

/** Starts the guard of a group just spawned; it is noted in `outputDir`. */
export const startOrphanGuard = (
  options: OrphanGuardOptions,
  leader: { readonly pid: number; readonly startTicks: string },
  outputDir: string,
  procsFiles: ReadonlyArray<string> = [],
): GuardHandle => {
  const child = spawn("sh", [
    "-c", guardScript, "orphan-guard",
    String(leader.pid), leader.startTicks, options.heartbeat, String(options.graceSeconds),
    String(Math.max(1, Math.ceil(options.stopGraceSeconds))), String(pollSeconds(options.graceSeconds)),
    ...procsFiles,
  ], { detached: true, stdio: "ignore", env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
  child.on("error", () => {});
  child.unref();
  const pid = child.pid;
  if (pid === undefined) return { end: () => {} };
  const ticks = readStartTicks(pid);
  try {
    writeFileSync(guardFile(outputDir), `${pid} ${ticks ?? ""}\n`);
  } catch {
    // the group's dir went already; the guard ends with the group anyway
  }
  return { end: endGuard(pid, ticks) };
};

/** The guard a previous orchestrator started for a group it left behind, if it still runs. */
export const adoptedGuard = (outputDir: string): GuardHandle => {
  try {
    const [pid = "", ticks = ""] = readFileSync(guardFile(outputDir), "utf8").trim().split(" ");
    return { end: endGuard(Number(pid), ticks) };
  } catch {
    return { end: () => {} };
  }
};
