import { execFile } from "node:child_process";
import { closeSync, constants, existsSync, openSync, read, readSync } from "node:fs";
import { Socket } from "node:net";
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

declare const Deno: unknown;
/** Deno's node:net has no `Socket({ fd })` (it throws EEXIST); there the read end is polled. */
const socketsTakeFds = typeof Deno === "undefined";

/** One FIFO's reader (the follower's, per stream). */
interface FifoReader {
  readonly ended: Promise<void>;
  readonly abandon: () => void;
}

/**
 * Reads a FIFO by event: the non-blocking read end is handed to libuv as a pipe (epoll), so a line
 * is read the moment it is written, at no cost while the preview is quiet, and no thread of the pool
 * is held. EOF (every writer gone) ends it. Abandoning pauses the socket, reads what the kernel still
 * holds with non-blocking reads until it is empty (bounded), and closes it.
 */
/** What an abandoned reader still takes from the kernel: a full pipe buffer (64 KiB by default) several times over. */
const maxDrainReads = 16;

const readByEvent = (fd: number, splitter: LineSplitter): FifoReader => {
  let resolveEnded: () => void = () => {};
  const ended = new Promise<void>((resolve) => { resolveEnded = resolve; });
  const socket = new Socket({ fd, readable: true, writable: false });
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    splitter.end();
    socket.destroy();
    resolveEnded();
  };
  socket.on("data", (chunk: Buffer) => splitter.push(chunk));
  socket.once("end", finish);
  socket.once("error", finish);
  socket.once("close", finish);
  return {
    ended,
    abandon: () => {
      if (done) return;
      socket.pause();
      const buffer = Buffer.alloc(64 * 1024);
      try {
        // Bounded: a writer still flooding the pipe must not hold us here.
        for (let i = 0, bytes = readSync(fd, buffer); bytes > 0 && i < maxDrainReads; i++, bytes = readSync(fd, buffer)) splitter.push(buffer.subarray(0, bytes));
      } catch {
        // EAGAIN: nothing left in the pipe
      }
      finish();
    },
  };
};

/** The fallback where sockets cannot take an fd: non-blocking reads, at once while there is output, backing off to 100 ms when idle. */
const readByPolling = (fd: number, splitter: LineSplitter): FifoReader => {
  let abandoned = false;
  const ended = new Promise<void>((resolve) => {
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
  });
  return { ended, abandon: () => { abandoned = true; } };
};

/**
 * Reads a preview's FIFOs line by line (by event under Node, above). The read end is opened
 * non-blocking, so opening never waits for a writer. A FIFO that is missing counts as ended.
 */
export const followOutput = (dir: string, onOutput: (chunk: OutputChunk) => void): OutputFollower => {
  const readers = streams.flatMap((stream): FifoReader[] => {
    const path = fifoPath(dir, stream);
    if (!existsSync(path)) return [];
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      return [];
    }
    const splitter = new LineSplitter((line) => onOutput({ stream, line }));
    return [socketsTakeFds ? readByEvent(fd, splitter) : readByPolling(fd, splitter)];
  });
  return {
    ended: Promise.all(readers.map((r) => r.ended)).then(() => undefined),
    abandon: () => readers.forEach((r) => r.abandon()),
  };
};
