import { closeSync, constants, fchmodSync, fchownSync, fstatSync, lstatSync, openSync } from "node:fs";
import { chown, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Effect } from "effect";
import { RuntimeUnavailable } from "./errors.ts";

/**
 * A sandboxed preview listens on a Unix socket in its work dir, where it may write: left so, it
 * could swap the socket for a symlink to any socket of the host (a container engine's, a
 * database's), and the gateway, resolving the path on the host, would connect there. So the socket
 * has a dir of its own, bound onto itself in the sandbox: a mount point, which the preview cannot
 * rename or replace (EBUSY). Once the preview answers, the dir is sealed (below) and the path names
 * that socket for good.
 */

/** The bind that pins the socket's dir in the sandbox; it goes after the work dir's own. */
export const socketDirBind = (hostWorkDir: string, insideWorkDir: string, socketName: string) =>
  ({ host: join(hostWorkDir, dirname(socketName)), inside: join(insideWorkDir, dirname(socketName)), writable: true });

/** Removes a project's own entry of the socket dir's name: the name is the platform's. */
export const clearSocketDir = (workDir: string, socketName: string): Promise<void> =>
  rm(join(workDir, dirname(socketName)), { recursive: true, force: true });

/** A fresh, empty socket dir of the preview's uid, where its server can bind. */
export const makeSocketDir = async (workDir: string, socketName: string, uid: number): Promise<void> => {
  await clearSocketDir(workDir, socketName);
  await mkdir(join(workDir, dirname(socketName)));
  await chown(join(workDir, dirname(socketName)), uid, uid);
};

/**
 * Takes the socket's dir from the preview (root's, 0755): it can no longer add, rename, replace or
 * remove anything in it. The dir is taken through a descriptor opened without following a
 * symlink, then checked to still be the one at that path; only then is the socket checked: a
 * socket of the preview's own uid, and not a symlink it put there before the seal.
 */
export const sealSocket = (socketPath: string, uid: number): Effect.Effect<void, RuntimeUnavailable> =>
  Effect.try({
    try: () => {
      const dir = dirname(socketPath);
      const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      try {
        fchownSync(fd, 0, 0);
        fchmodSync(fd, 0o755);
        const taken = fstatSync(fd);
        const there = lstatSync(dir);
        if (taken.ino !== there.ino || taken.dev !== there.dev) throw new Error(`${dir} was replaced while it was being sealed`);
      } finally {
        closeSync(fd);
      }
      const socket = lstatSync(socketPath);
      if (!socket.isSocket()) throw new Error(`${socketPath} is not a socket but a ${socket.isSymbolicLink() ? "symlink" : "file of another kind"}`);
      if (socket.uid !== uid) throw new Error(`${socketPath} belongs to uid ${socket.uid}, not to the preview's ${uid}`);
    },
    catch: (e) => new RuntimeUnavailable({
      message: `The preview's socket could not be sealed, so it is not served: ${e instanceof Error ? e.message : String(e)}`,
    }),
  });
