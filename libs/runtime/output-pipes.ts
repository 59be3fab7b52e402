import { execFile } from "node:child_process";
import { closeSync, constants, existsSync, openSync, read } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { LineSplitter } from "../logsink/line-splitter.ts";
import type { OutputChunk } from "./contract.ts";

/**
 * A preview's stdout and stderr are named pipes (FIFOs) in a directory of their own, not pipes to
 * the orchestrator: the preview holds both ends of each (it opens them read-write), so it never
 * gets SIGPIPE when the orchestrator dies; its writes just wait in the kernel's pipe buffer until
 * the next orchestrator opens the same FIFOs and reads on. Nothing goes to disk, so nothing grows.
 */
export const outputDirOf = (workDir: string): string => `${workDir}.output`;

const streams = ["stdout", "stderr"] as const;
const fifoPath = (dir: string, stream: (typeof streams)[number]) => join(dir, stream);

/** Creates the FIFOs and opens the preview's ends; `close` after the spawn, so only the preview holds them. */
export const createOutputPipes = async (dir: string): Promise<{ readonly fds: readonly [number, number]; readonly close: () => void }> => {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await promisify(execFile)("mkfifo", ["-m", "600", ...streams.map((s) => fifoPath(dir, s))]);
  const fds = [openSync(fifoPath(dir, "stdout"), constants.O_RDWR), openSync(fifoPath(dir, "stderr"), constants.O_RDWR)] as const;
  return { fds, close: () => fds.forEach((fd) => closeSync(fd)) };
};

export const removeOutputPipes = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });

export interface OutputFollower {
  /** Resolves once every writer is gone (the whole process tree ended) and all it wrote was read. */
  readonly ended: Promise<void>;
  /** Stops at the next moment nothing is left to read, even if a writer still holds the pipe. */
  readonly abandon: () => void;
}

/**
 * How long output may keep coming once the preview's leader is gone. A process that left the
 * group (its own session) can hold the write end forever; the preview's end must not wait on it.
 */
const afterLeaderMs = 2000;

/** Once the leader is gone: all output read (or the grace above spent), then the FIFOs removed. */
export const settleOutput = (follower: OutputFollower, dir: string): Promise<void> => {
  const grace = setTimeout(follower.abandon, afterLeaderMs);
  return follower.ended.then(() => {
    clearTimeout(grace);
    return removeOutputPipes(dir);
  });
};

const idleMinMs = 10;
const idleMaxMs = 100;

/**
 * Reads a preview's FIFOs line by line. The read end is non-blocking and polled (a blocking read
 * would hold a thread of the pool per preview; Deno has no `net.Socket({ fd })`): at once while
 * there is output, backing off to 100 ms when idle. A FIFO that is missing counts as ended.
 */
export const followOutput = (dir: string, onOutput: (chunk: OutputChunk) => void): OutputFollower => {
  let abandoned = false;
  const ends = streams.map((stream) => new Promise<void>((resolve) => {
    const path = fifoPath(dir, stream);
    if (!existsSync(path)) return resolve();
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      return resolve();
    }
    const splitter = new LineSplitter((line) => onOutput({ stream, line }));
    const buffer = Buffer.alloc(64 * 1024);
    let idle = idleMinMs;
    const finish = () => {
      splitter.end();
      closeSync(fd);
      resolve();
    };
    const next = () => read(fd, buffer, 0, buffer.length, null, (error, bytes) => {
      if (error !== null) {
        if (error.code !== "EAGAIN" || abandoned) return finish();
        setTimeout(next, idle);
        idle = Math.min(idle * 2, idleMaxMs);
        return;
      }
      if (bytes === 0) return finish();
      idle = idleMinMs;
      splitter.push(buffer.subarray(0, bytes));
      next();
    });
    next();
  }));
  return { ended: Promise.all(ends).then(() => undefined), abandon: () => { abandoned = true; } };
};
