// Runs every process of the Procfile, prefixes their output, restarts one that dies, and stops
// them all on Ctrl-C or SIGTERM (node-foreman dies on SIGTERM and leaves its children running;
// see shared/toolchain.md §5.16). No service outlives this runner: each one reads a lifeline
// pipe (its stdin) that only the runner holds, see libs/http/lifeline.ts.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { alive, parentOf } from "./runner/proc.ts";
import { nextRestart, type RestartPolicy } from "./runner/restart-policy.ts";
import { checkPort, stopStale } from "./runner/stale-instance.ts";

// The local secrets are made before any service starts (one that may not write files, the
// gateway under Deno, only reads them), and the services' ports are read from their configs: both
// in a process of its own (scripts/runner/prepare.ts), so this one never loads Effect.
const prepared = spawnSync(process.execPath, [fileURLToPath(new URL("./runner/prepare.ts", import.meta.url))], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
if (prepared.status !== 0) {
  process.stderr.write(`could not prepare the start (scripts/runner/prepare.ts exited ${prepared.status ?? prepared.signal})\n`);
  process.exit(1);
}
const ports = JSON.parse(prepared.stdout) as Record<string, number | null>;
/** undefined for a process that is not one of ours, or listens on any free port (nothing to check). */
const servicePort = (name: string): number | undefined => ports[name] ?? undefined;

const procfile = process.argv[2] ?? "Procfile";
const entries = readFileSync(procfile, "utf8").split("\n")
  .map((line) => /^([\w-]+):\s*(.+)$/.exec(line.trim()))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ name: m[1] ?? "", command: m[2] ?? "" }));
const width = Math.max(...entries.map((e) => e.name.length));
const say = (name: string, line: string) => process.stdout.write(`${name.padEnd(width)} | ${line}\n`);
const children = new Map<string, ChildProcess>();
const pendingRestarts = new Set<NodeJS.Timeout>();
let stopping = false;
let exitCode = 0;

// Stop in dependency order: the orchestrator stops its previews and hands their last lines and
// final statuses to the logs service; the logs service then ends its streams cleanly (clients
// keep their last id), which lets the gateway's proxied streams end before the gateway stops.
const stopOrder = ["orchestrator", "logs", "gateway", "extractor"];
const stopGraceMs = 20_000;
const policy: RestartPolicy = { firstDelayMs: 500, maxDelayMs: 10_000, fastRunMs: 30_000, maxFastFailures: 5 };

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * SIGTERM to the service's process group, SIGKILL after the grace period; resolves once the
 * group is empty. The group outlives the first process when a wrapper was killed and the real
 * service is still shutting down.
 */
const stopGroup = async (pgid: number): Promise<void> => {
  try {
    process.kill(-pgid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + stopGraceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // Already empty.
  }
};

const exited = new WeakMap<ChildProcess, Promise<void>>();

const stopAll = async () => {
  if (stopping) return;
  stopping = true;
  for (const timer of pendingRestarts) clearTimeout(timer);
  const rank = (name: string) => (stopOrder.includes(name) ? stopOrder.indexOf(name) : stopOrder.length);
  for (const [, child] of [...children].sort(([a], [b]) => rank(a) - rank(b))) {
    if (child.pid !== undefined) await stopGroup(child.pid);
    await exited.get(child);
  }
  process.exit(exitCode);
};

const giveUp = (name: string, why: string) => {
  say(name, `${why}; stopping the platform`);
  exitCode = 1;
  void stopAll();
};

/** Frees the service's port from a stale instance of it; false when something else holds it. */
const portReady = async (name: string): Promise<boolean> => {
  const port = servicePort(name);
  if (port === undefined) return true;
  const check = checkPort(name, port);
  if (check.kind === "free") return true;
  if (check.kind === "stale") {
    say(name, `port ${port} is held by a stale ${name} from an earlier run (pid ${check.pid}); stopping it first`);
    await stopStale(check.pid, stopGraceMs);
    if (!alive(check.pid)) return true;
  }
  const holder = check.pid === undefined ? "another process" : `pid ${check.pid} (${check.command || "unknown command"})`;
  giveUp(name, `cannot start: port ${port} is already in use by ${holder}; stop it or choose another port with ${name.toUpperCase()}_PORT`);
  return false;
};

const failures = new Map<string, number>();

const start = async (name: string, command: string): Promise<void> => {
  if (stopping || !(await portReady(name)) || stopping) return;
  const startedAt = Date.now();
  // stdin is the lifeline: never written, closed by the kernel when this runner dies.
  const child = spawn("/bin/sh", ["-c", command], {
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
    env: { ...process.env, PLATFORM_LIFELINE: "stdin" },
  });
  children.set(name, child);
  child.stdin?.on("error", () => undefined);
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", (line) => say(name, line));
  exited.set(child, new Promise((resolve) => child.once("exit", () => resolve())));
  child.once("exit", (code, signal) => {
    say(name, `exited (${signal ?? code})`);
    if (stopping) return;
    children.delete(name);
    void (async () => {
      // A killed wrapper leaves the service itself in the group: it goes before the next one starts.
      if (child.pid !== undefined) await stopGroup(child.pid);
      const decision = nextRestart(policy, failures.get(name) ?? 0, Date.now() - startedAt);
      failures.set(name, decision.fastFailures);
      if (decision.kind === "give-up") {
        giveUp(name, `failed ${decision.fastFailures} times in a row, each within ${policy.fastRunMs / 1000} s of starting; giving up on it`);
        return;
      }
      say(name, `restarting in ${(decision.delayMs / 1000).toFixed(1)} s (restart ${decision.fastFailures === 0 ? "after a long run" : `${decision.fastFailures} of at most ${policy.maxFastFailures - 1} quick ones`})`);
      const timer = setTimeout(() => {
        pendingRestarts.delete(timer);
        void start(name, command);
      }, decision.delayMs);
      pendingRestarts.add(timer);
    })();
  });
};

// With whoever read our output gone, a write fails with EPIPE; that must not cut the stop short.
process.stdout.on("error", () => undefined);
process.on("SIGINT", () => void stopAll());
process.on("SIGTERM", () => void stopAll());

// The runner's own lifeline: its parent (a wrapper such as tsx, or npm) and that one's parent.
// When either is re-parented the runner was abandoned, and stops everything rather than serve on.
const parent = process.ppid;
const grandparent = parentOf(parent);
setInterval(() => {
  if (process.ppid !== parent || parentOf(parent) !== grandparent) {
    say("runner", `its parent process is gone; stopping every service`);
    void stopAll();
  }
}, 500).unref();

for (const { name, command } of entries) await start(name, command);
