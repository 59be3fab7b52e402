import { execFile } from "node:child_process";
import { chmod, chown, copyFile, cp, lchown, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, rmdir, symlink, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A preview's disk quota: its work dir is a tmpfs of its own with `size=`, so writing past it
 * gets ENOSPC inside the preview and the host's disk never sees a byte. Needs the right to mount
 * (root here); where it is missing the quota is not enforced and /config says so.
 */
export const canMountQuota = async (): Promise<boolean> => {
  const probe = await mkdtemp(join(tmpdir(), "quota-probe-"));
  try {
    await run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe]);
    await run("umount", [probe]);
    return true;
  } catch {
    return false;
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
};

/** Moves a prepared work dir onto its own size-limited tmpfs (same path), contents and all. */
export const moveOntoQuota = async (workDir: string, sizeMb: number): Promise<void> => {
  const staged = `${workDir}.staged`;
  await rename(workDir, staged);
  try {
    await mkdir(workDir, { mode: 0o755 });
    await run("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m,mode=0755`, "tmpfs", workDir]);
    await cp(staged, workDir, { recursive: true, preserveTimestamps: true });
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
};

/** Mounts an empty dir's own size-limited tmpfs (a warm slot's dir, before anything is in it). */
export const mountQuota = async (dir: string, sizeMb: number): Promise<void> => {
  await run("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m,mode=0755`, "tmpfs", dir]);
};

/**
 * Whether a quota mount can be moved under `parent` (a warm slot's dir becomes a work dir so): the
 * kernel refuses `mount --move` where the parent mount is shared (systemd's default for /).
 */
export const canMoveQuota = async (parent: string): Promise<boolean> => {
  await mkdir(parent, { recursive: true });
  const probe = await mkdtemp(join(parent, ".move-probe-"));
  const from = join(probe, "a");
  const to = join(probe, "b");
  try {
    await Promise.all([mkdir(from), mkdir(to)]);
    await run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", from]);
    await run("mount", ["--move", from, to]);
    return true;
  } catch {
    return false;
  } finally {
    for (const dir of [to, from]) await run("umount", ["-l", dir]).catch(() => undefined);
    await rm(probe, { recursive: true, force: true });
  }
};

/**
 * Renames a dir; one that is a quota mount is moved with the mount (a mount point cannot be
 * renamed). `to` must be an empty dir then, as a rename over it would need.
 */
export const moveDir = async (from: string, to: string): Promise<void> => {
  if (!(await isMountPoint(from))) return rename(from, to);
  await run("mount", ["--move", from, to]);
  await rmdir(from);
};

/**
 * Moves every entry of `from` into `to`. Into a quota mount (another filesystem) that is a copy
 * keeping owners, modes and times (as `cp -a` would, in process: this is on the warm launch's path,
 * where spawning cp cost more than the copy), then the originals go.
 */
export const moveEntries = async (from: string, to: string): Promise<void> => {
  const names = await readdir(from);
  try {
    for (const name of names) await rename(join(from, name), join(to, name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
    await copyEntries(from, to);
    await Promise.all((await readdir(from)).map((name) => rm(join(from, name), { recursive: true, force: true })));
  }
};

/** Copies what is in `from` into `to`: files, dirs and symlinks, with their owners, modes and times. */
const copyEntries = async (from: string, to: string): Promise<void> => {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    const stat = await lstat(source);
    if (entry.isSymbolicLink()) {
      await symlink(await readlink(source), target);
      await lchown(target, stat.uid, stat.gid);
      continue;
    }
    if (entry.isDirectory()) {
      await mkdir(target, { recursive: true });
      await copyEntries(source, target);
    } else if (entry.isFile()) {
      await copyFile(source, target);
    } else {
      continue; // a FIFO or socket is not project content
    }
    await chown(target, stat.uid, stat.gid);
    await chmod(target, stat.mode & 0o7777);
    await utimes(target, stat.atime, stat.mtime);
  }
};

const isMountPoint = async (dir: string): Promise<boolean> => {
  const target = resolve(dir);
  const mounts = await readFile("/proc/self/mountinfo", "utf8").catch(() => "");
  // Field 5 is the mount point, with spaces and the like octal-escaped.
  return mounts.split("\n").some((line) => line.split(" ")[4]?.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))) === target);
};

/** Lets go of a work dir's quota mount, if it has one (lazily: a process still in it holds it until it goes). */
export const releaseQuota = async (dir: string): Promise<void> => {
  if (await isMountPoint(dir)) await run("umount", ["-l", dir]).catch(() => undefined);
};
