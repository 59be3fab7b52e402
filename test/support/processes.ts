import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { connect } from "node:net";

/** Pids whose command line contains `needle` (read from /proc, as `pgrep -f` would). */
export const pidsMatching = (needle: string): number[] =>
  readdirSync("/proc").filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const cmdline = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").join(" ");
      return cmdline.includes(needle) ? [Number(d)] : [];
    } catch {
      return [];
    }
  });

export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Whether a Node or Deno process's main thread waits in its event loop (epoll_wait, level-triggered):
 * then every callback and microtask has run, and no fd it reads has data waiting.
 */
export const idleInEventLoop = (pid: number): boolean => {
  try {
    return ["do_epoll_wait", "ep_poll"].includes(readFileSync(`/proc/${pid}/wchan`, "utf8").trim());
  } catch {
    return false;
  }
};

export const portAccepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
  });

/**
 * Pids of one preview on the host runtime: those working in its work dir, DATA_DIR/previews/{id}
 * (`npm start`) or DATA_DIR/nodes/{node}/previews/{id} (`npm run start:cluster`: each node has its own).
 */
export const pidsOfPreview = (dataDir: string, previewId: string): number[] => {
  const workDirs = new RegExp(`^(nodes/[^/]+/)?previews/${previewId.replace(/[^\w-]/g, "\\$&")}(/|$)`);
  return readdirSync("/proc").filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const cwd = readlinkSync(`/proc/${d}/cwd`);
      return cwd.startsWith(`${dataDir}/`) && workDirs.test(cwd.slice(dataDir.length + 1)) ? [Number(d)] : [];
    } catch {
      return [];
    }
  });
};

/** Pids that belong to a platform run: given its DATA_DIR in their environment, or working under it (previews). */
export const pidsUsingDataDir = (dataDir: string): number[] =>
  readdirSync("/proc").filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const environ = readFileSync(`/proc/${d}/environ`, "utf8").split("\0");
      const cwd = readlinkSync(`/proc/${d}/cwd`);
      return environ.includes(`DATA_DIR=${dataDir}`) || cwd.startsWith(dataDir) ? [Number(d)] : [];
    } catch {
      return [];
    }
  });
