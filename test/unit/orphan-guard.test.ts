import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { adoptedGuard, heartbeatIntervalMs, keepHeartbeat } from "../../libs/runtime/orphan-guard.ts";
import { isRunningProcess, readStartTicks } from "../../libs/runtime/process-identity.ts";
import { eventually } from "../support/api.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "guard-"));
  dirs.push(dir);
  return dir;
};

describe("the orphan guard's pieces", () => {
  it("an adopting orchestrator ends the guard noted beside the group, only if that pid is still the guard", async () => {
    const dir = tempDir();
    const stand = spawn("sleep", ["100"], { stdio: "ignore", detached: true });
    const pid = stand.pid as number;
    const ticks = readStartTicks(pid) ?? "";
    writeFileSync(join(dir, "guard"), `${pid} ${ticks}\n`);
    // A note naming another start time (the pid was reused) is left alone.
    const other = tempDir();
    writeFileSync(join(other, "guard"), `${pid} 1\n`);
    adoptedGuard(other).end();
    expect(isRunningProcess(pid, ticks)).toBe(true);
    adoptedGuard(tempDir()).end(); // no note: nothing to end
    adoptedGuard(dir).end();
    await eventually(() => (isRunningProcess(pid, ticks) ? undefined : true), 10_000, "the guard to be ended");
  });

  it("the heartbeat file is created with its dir and touched again while the scope is open", async () => {
    const file = join(tempDir(), "previews", ".orchestrator-heartbeat");
    expect(heartbeatIntervalMs(4)).toBe(1000);
    expect(heartbeatIntervalMs(3600)).toBe(30_000);
    await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      yield* keepHeartbeat(file, 4);
      const first = statSync(file).mtimeMs;
      yield* Effect.promise(() => eventually(() => (statSync(file).mtimeMs > first ? true : undefined), 10_000, "a second beat"));
    })));
  });
});
