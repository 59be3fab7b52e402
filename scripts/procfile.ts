// Runs every process of the Procfile, prefixes their output, and stops them all on Ctrl-C or
// SIGTERM (node-foreman dies on SIGTERM and leaves its children running; see shared/toolchain.md §5.16).
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Effect } from "effect";
import { PlatformSecrets, PlatformSecretsLive } from "../libs/auth/platform-secrets.ts";

// The local secrets are made before any service starts: one that may not write files (the
// gateway under Deno) only reads them.
await Effect.runPromise(Effect.gen(function* () { yield* PlatformSecrets; }).pipe(Effect.provide(PlatformSecretsLive)));

const procfile = process.argv[2] ?? "Procfile";
const entries = readFileSync(procfile, "utf8").split("\n")
  .map((line) => /^([\w-]+):\s*(.+)$/.exec(line.trim()))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ name: m[1] ?? "", command: m[2] ?? "" }));
const width = Math.max(...entries.map((e) => e.name.length));
const children = new Map<string, ChildProcess>();
let stopping = false;
let exitCode = 0;

// Stop in dependency order: the orchestrator stops its previews and hands their last lines and
// final statuses to the logs service; the logs service then ends its streams cleanly (clients
// keep their last id), which lets the gateway's proxied streams end before the gateway stops.
const stopOrder = ["orchestrator", "logs", "gateway", "extractor"];
const stopGraceMs = 20_000;

const stopOne = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const kill = setTimeout(() => {
      try { process.kill(-(child.pid as number), "SIGKILL"); } catch { /* already gone */ }
    }, stopGraceMs);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      resolve();
    }
  });

const stopAll = async () => {
  if (stopping) return;
  stopping = true;
  const rank = (name: string) => (stopOrder.includes(name) ? stopOrder.indexOf(name) : stopOrder.length);
  for (const [, child] of [...children].sort(([a], [b]) => rank(a) - rank(b))) await stopOne(child);
};

for (const { name, command } of entries) {
  const child = spawn("/bin/sh", ["-c", command], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  children.set(name, child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => process.stdout.write(`${name.padEnd(width)} | ${line}\n`));
  }
  child.on("exit", (code, signal) => {
    children.delete(name);
    process.stdout.write(`${name.padEnd(width)} | exited (${signal ?? code})\n`);
    if (!stopping) {
      exitCode = 1;
      void stopAll();
    }
    if (children.size === 0) process.exit(exitCode);
  });
}
process.on("SIGINT", () => void stopAll());
process.on("SIGTERM", () => void stopAll());
