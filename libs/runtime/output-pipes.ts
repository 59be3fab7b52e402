import { execFile } from "node:child_process";
import { closeSync, constants, existsSync, openSync, readSync } from "node:fs";
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

/** Deno's file API (its node:net has no `Socket({ fd })`: it throws EEXIST). */
interface DenoFiles {
  open(path: string, options: { read: true }): Promise<{ read(buffer: Uint8Array): Promise<number | null>; close(): void }>;
}
declare const Deno: DenoFiles | undefined;

/** One FIFO's reader (the follower's, per stream). */
interface FifoReader {
  readonly ended: Promise<void>;
  readonly abandon: () => void;
}

/** What an abandoned reader still takes from the kernel: a full pipe buffer (64 KiB by default) several times over. */
const maxDrainReads = 16;

/**
 * Node: the non-blocking read end is handed to libuv as a pipe (epoll), so a line is read the moment
 * it is written, at no cost while the preview is quiet, and no thread of the pool is held. EOF (every
 * writer gone) ends it. Abandoning pauses the socket, reads what the kernel still holds with
 * non-blocking reads until it is empty (bounded), and closes it.
 */
const readWithSocket = (path: string, splitter: LineSplitter): FifoReader | undefined => {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  // With no writer when it was opened, epoll would never report the FIFO's end (the kernel holds its
  // hang-up back until a writer came): a first read, empty, says so and ends it here.
  const buffer = Buffer.alloc(64 * 1024);
  try {
    for (let i = 0, bytes = readSync(fd, buffer); ; i++, bytes = readSync(fd, buffer)) {
      if (bytes === 0) {
        splitter.end();
        closeSync(fd);
        return { ended: Promise.resolve(), abandon: () => {} };
      }
      splitter.push(buffer.subarray(0, bytes));
      if (i >= maxDrainReads) break;
    }
  } catch {
    // EAGAIN: a writer holds it, nothing to read yet
  }
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

/**
 * Deno: a read is always pending on the FIFO (Deno's file API), so a line is read the moment it is
 * written; EOF ends it, and abandoning closes the file, which cancels that read. Opening a FIFO to
 * read waits for a writer, and after a crash there may be none left: a writer of our own is held
 * just while it opens.
 */
const readWithDeno = (deno: DenoFiles, path: string, splitter: LineSplitter): FifoReader | undefined => {
  let holder: number;
  try {
    holder = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  let abandoned = false;
  let file: Awaited<ReturnType<DenoFiles["open"]>> | undefined;
  const ended = (async () => {
    try {
      file = await deno.open(path, { read: true });
    } catch {
      return;
    } finally {
      closeSync(holder);
    }
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (let bytes = abandoned ? null : await file.read(buffer); bytes !== null; bytes = await file.read(buffer)) splitter.push(buffer.subarray(0, bytes));
    } catch {
      // closed by abandon
    }
    splitter.end();
    try {
      file.close();
    } catch {
      // already closed by abandon
    }
  })();
  return {
    ended,
    abandon: () => {
      abandoned = true;
      try {
        file?.close();
      } catch {
        // already closed
      }
    },
  };
};

/**
 * Reads a preview's FIFOs line by line, by event (no polling) under Node and Deno alike, above.
 * Opening never waits for a writer. A FIFO that is missing counts as ended.
 */
export const followOutput = (dir: string, onOutput: (chunk: OutputChunk) => void): OutputFollower => {
  const readers = streams.flatMap((stream): FifoReader[] => {
    const path = fifoPath(dir, stream);
    if (!existsSync(path)) return [];
    const splitter = new LineSplitter((line) => onOutput({ stream, line }));
    const reader = typeof Deno === "undefined" ? readWithSocket(path, splitter) : readWithDeno(Deno, path, splitter);
    return reader === undefined ? [] : [reader];
  });
  return {
    ended: Promise.all(readers.map((r) => r.ended)).then(() => undefined),
    abandon: () => readers.forEach((r) => r.abandon()),
  };
};
