import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OutputChunk } from "../../libs/runtime/contract.ts";
import { createOutputPipes, followOutput } from "../../libs/runtime/output-pipes.ts";

// Captured before any test fakes the timers: the deadlines below must keep running.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "output-pipes-")); });
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

/** A shell script whose stdout and stderr are the FIFOs, and whose fd 3 is a pipe from the test (its children inherit it). */
const run = async (script: string) => {
  const outputDir = join(dir, "out");
  const pipes = await createOutputPipes(outputDir);
  const child = spawn("sh", ["-c", script], { stdio: ["ignore", pipes.fds[0], pipes.fds[1], "pipe"] });
  await new Promise((resolve) => child.once("spawn", resolve));
  pipes.close();
  const lines: OutputChunk[] = [];
  const waiters: Array<() => void> = [];
  const follower = followOutput(outputDir, (chunk) => {
    lines.push(chunk);
    for (const w of waiters.splice(0)) w();
  });
  /** Resolves once `line` was read, or fails after a generous deadline (never a measurement). */
  const seen = (line: string) => new Promise<void>((resolve, reject) => {
    const timer = realSetTimeout(() => reject(new Error(`"${line}" was never read; got ${JSON.stringify(lines)}`)), 20_000);
    const check = () => {
      if (lines.some((l) => l.line === line)) {
        realClearTimeout(timer);
        resolve();
      } else waiters.push(check);
    };
    check();
  });
  return { child, control: child.stdio[3] as Writable, lines, follower, seen };
};

describe("a preview's output FIFOs", () => {
  it("are read by event: each line arrives while the writer runs on, with no timer ever firing", async () => {
    // A reader that polls would need a timer after its first empty read; with timers frozen it never reads again.
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval"] });
    const p = await run("echo first; read go <&3; echo second >&2; read go <&3; echo third");
    await p.seen("first");
    p.control.write("go\n");
    await p.seen("second");
    p.control.end("go\n");
    await p.follower.ended;
    expect(p.lines).toEqual([
      { stream: "stdout", line: "first" },
      { stream: "stderr", line: "second" },
      { stream: "stdout", line: "third" },
    ]);
  });

  it("end only once every writer is gone: a child that outlives the leader still delivers its lines", async () => {
    let ended = false;
    const p = await run("(read go <&3; echo from-the-child) & echo leader-exits");
    void p.follower.ended.then(() => { ended = true; });
    await new Promise((resolve) => p.child.once("exit", resolve));
    await p.seen("leader-exits");
    expect(ended).toBe(false);
    p.control.end("go\n");
    await p.seen("from-the-child");
    await p.follower.ended;
    expect(p.lines.map((l) => l.line)).toEqual(["leader-exits", "from-the-child"]);
  });

  it("when abandoned, deliver what is already written (a last line without newline too) and stop, though a writer still holds them", async () => {
    const p = await run("(read go <&3) & printf 'a\\nb\\nno newline'");
    await new Promise((resolve) => p.child.once("exit", resolve));
    await p.seen("b");
    p.follower.abandon();
    await p.follower.ended;
    expect(p.lines.map((l) => l.line)).toEqual(["a", "b", "no newline"]);
    p.control.end("go\n");
  });

  it("whose writers all ended before anyone followed them (the preview died while no orchestrator read) end at once", async () => {
    const outputDir = join(dir, "out");
    const pipes = await createOutputPipes(outputDir);
    const child = spawn("sh", ["-c", "echo written-before; printf 'and a last piece'"], { stdio: ["ignore", pipes.fds[0], pipes.fds[1]] });
    await new Promise((resolve) => child.once("spawn", resolve));
    pipes.close();
    await new Promise((resolve) => child.once("exit", resolve));
    const lines: string[] = [];
    // No writer is left to say the end by epoll; the reader must see it by itself. What was written
    // went with the pipe: the kernel keeps no buffer for a pipe no one holds open.
    await followOutput(outputDir, (chunk) => lines.push(chunk.line)).ended;
    expect(lines).toEqual([]);
  });

  it("that are missing count as ended", async () => {
    const follower = followOutput(join(dir, "never-created"), () => {});
    await follower.ended;
  });
});
