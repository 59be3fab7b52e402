import { randomBytes } from "node:crypto";
import { chown, link, mkdir, readdir, readlink, rename, rm, symlink } from "node:fs/promises";
import type { Writable } from "node:stream";
import { setPriority } from "node:os";
import { join } from "node:path";
import { Deferred, Effect } from "effect";
import type { OutputChunk, PreviewProcess, ProcessExit, Upstream } from "./contract.ts";
import type { RuntimeUnavailable } from "./errors.ts";
import type { ImageInfo } from "./image/image-store.ts";
import { moveDir, moveEntries, mountQuota, releaseQuota } from "./disk-quota.ts";
import { outputDirOf } from "./output-pipes.ts";
import { descendantsOf } from "./process-tree.ts";
import type { PoolSlot } from "./warm-pool.ts";
import { makeSocketDir, sealSocket, socketDirBind } from "./socket-seal.ts";

/** What the sandbox runtime starts for a cold launch and for a slot alike (sandbox-runtime.ts's launchGroup). */
export interface GroupLaunch {
  readonly image: ImageInfo;
  readonly uid: number;
  readonly releaseUid: Effect.Effect<void>;
  readonly binds: ReadonlyArray<{ readonly host: string; readonly inside: string; readonly writable: boolean }>;
  readonly env: Readonly<Record<string, string>>;
  readonly command: ReadonlyArray<string>;
  readonly onOutput: (chunk: OutputChunk) => void;
  readonly upstream: Upstream;
  readonly stdin?: boolean;
  /** Its output FIFOs' dir (libs/runtime/output-pipes.ts). */
  readonly outputDir: string;
  /** A niceness to start with (a slot being filled); a cold launch runs at the orchestrator's own. */
  readonly nice?: number;
}

export interface SandboxedGroup {
  readonly pid: number;
  readonly startTicks: string;
  readonly exited: Effect.Effect<ProcessExit>;
  readonly stop: Effect.Effect<ProcessExit>;
  readonly upstream: Upstream;
  readonly stdin?: Writable | undefined;
}

/** The line the boot program's --warm mode prints once its imports are done (preview_boot.py's WARM_READY). */
const readyMarker = "@@preview-warm-slot-ready@@ ";
/** Lines a slot prints before it is taken (warnings of a preloaded module), replayed to its preview. */
const maxEarlyLines = 50;
/**
 * A slot imports for about a second of CPU, and it starts just when a launch took the last one:
 * niced, the refill yields the cores to that launch (and to running previews). Taken, it is set back
 * to niceness 0, a cold launch's (a process of the preview's uid cannot lower it itself).
 */
const fillingNice = 10;

/** Every process of the slot back to a cold launch's niceness. */
const unnice = (leader: number): void => {
  for (const pid of descendantsOf(leader)) {
    try {
      setPriority(pid, 0);
    } catch {
      // gone meanwhile
    }
  }
};

export interface WarmSlot extends PoolSlot {
  readonly uid: number;
  /** Host dir the slot sees as its app dir; it waits for files there. */
  readonly dir: string;
  /** Host dir the slot sees read-only as /tmp/venv; a launch with requirements links its venv here. */
  readonly venvDir: string;
  /** Top-level modules imported ahead (known once ready): a venv must not bring another version of one. */
  readonly modules: () => ReadonlySet<string>;
  readonly group: SandboxedGroup;
  /** From now on the slot's output is its preview's. */
  readonly attach: (onOutput: (chunk: OutputChunk) => void) => void;
}

export interface SlotDeps {
  readonly slotsDir: string;
  readonly image: ImageInfo;
  readonly takeUid: () => { readonly uid: number; readonly release: Effect.Effect<void> };
  readonly launch: (g: GroupLaunch) => Effect.Effect<SandboxedGroup, RuntimeUnavailable>;
  /** Where the sandbox sees the app dir and the venv, and how the slot is started. */
  readonly insideApp: string;
  readonly insideVenv: string;
  readonly socketName: string;
  /** The interpreter and the boot program in warm mode. */
  readonly command: ReadonlyArray<string>;
  readonly baseEnv: Readonly<Record<string, string>>;
  /** What every preview's sandbox also mounts (the boot program). */
  readonly extraBinds: GroupLaunch["binds"];
  /** The slot's dir is a tmpfs of this size (the preview's disk quota; it moves with the dir at hand-over). */
  readonly diskMb?: number | undefined;
}

/** Starts one slot: a sandbox like a cold launch's, running the warm launcher, its dirs empty. */
export const startWarmSlot = (deps: SlotDeps): Effect.Effect<WarmSlot, RuntimeUnavailable> =>
  Effect.gen(function* () {
    const id = randomBytes(6).toString("hex");
    const dir = join(deps.slotsDir, id);
    const venvDir = join(deps.slotsDir, `${id}.venv`);
    const { uid, release } = deps.takeUid();
    const removeDirs = Effect.promise(() => Promise.all([releaseQuota(dir).then(() => rm(dir, { recursive: true, force: true })), rm(venvDir, { recursive: true, force: true })]));
    yield* Effect.promise(() => Promise.all([mkdir(dir, { recursive: true }), mkdir(venvDir, { recursive: true })]));
    const diskMb = deps.diskMb;
    if (diskMb !== undefined) yield* Effect.promise(() => mountQuota(dir, diskMb)).pipe(Effect.onError(() => removeDirs));
    yield* Effect.promise(() => chown(dir, uid, uid));
    yield* Effect.promise(() => makeSocketDir(dir, deps.socketName, uid)).pipe(Effect.onError(() => removeDirs));
    const ready = yield* Deferred.make<boolean>();
    let modules: ReadonlySet<string> = new Set();
    let target: ((chunk: OutputChunk) => void) | undefined;
    const early: OutputChunk[] = [];
    const onOutput = (chunk: OutputChunk) => {
      if (target !== undefined) return target(chunk);
      if (chunk.stream === "stdout" && chunk.line.startsWith(readyMarker)) {
        try {
          modules = new Set((JSON.parse(chunk.line.slice(readyMarker.length)) as { modules: string[] }).modules);
        } catch {
          // a malformed line leaves the set empty: every venv then conflicts, and such launches go cold
        }
        Deferred.doneUnsafe(ready, Effect.succeed(true));
        return;
      }
      early.push(chunk);
      if (early.length > maxEarlyLines) early.shift();
    };
    const group = yield* deps.launch({
      image: deps.image, uid, releaseUid: release,
      binds: [
        { host: dir, inside: deps.insideApp, writable: true },
        socketDirBind(dir, deps.insideApp, deps.socketName),
        { host: venvDir, inside: deps.insideVenv, writable: false },
        ...deps.extraBinds,
      ],
      env: deps.baseEnv,
      command: deps.command,
      onOutput,
      upstream: { kind: "unix", path: join(dir, deps.socketName) },
      outputDir: outputDirOf(dir),
      stdin: true,
      nice: fillingNice,
    }).pipe(Effect.onError(() => removeDirs));
    const gone = group.exited.pipe(Effect.asVoid);
    yield* Effect.forkDetach(group.exited.pipe(Effect.andThen(Deferred.succeed(ready, false))));
    return {
      id, uid, dir, venvDir, group,
      ready: Deferred.await(ready),
      gone,
      modules: () => modules,
      lastLines: () => early.slice(-5).map((c) => c.line).join(" | "),
      discard: Effect.andThen(group.stop, removeDirs),
      attach: (next) => {
        target = next;
        for (const chunk of early.splice(0)) next(chunk);
      },
    };
  });

/**
 * What slots of an earlier run left (they ended when their stdin closed with it). The venv dir of a
 * slot that was taken stays: the preview it became may have outlived that run and been re-adopted,
 * and its /tmp/venv is that dir.
 */
export const clearIdleSlots = async (slotsDir: string): Promise<void> => {
  const names = await readdir(slotsDir).catch(() => [] as string[]);
  const slots = new Set(names.filter((n) => !n.includes(".")));
  for (const name of names) {
    if (name.endsWith(".venv") && !slots.has(name.slice(0, -".venv".length))) continue;
    await releaseQuota(join(slotsDir, name));
    await rm(join(slotsDir, name), { recursive: true, force: true });
  }
};

/** Recreates `from` at `to` with hard links (symlinks as symlinks): a venv appears in a slot without copying. */
const linkTree = async (from: string, to: string): Promise<void> => {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) await linkTree(src, dst);
    else if (entry.isSymbolicLink()) await symlink(await readlink(src), dst);
    else if (entry.isFile()) await link(src, dst);
  }
};

/** Top-level importable names a venv's site-packages holds. */
export const venvModules = async (venv: string, pythonVersion: string): Promise<ReadonlyArray<string>> => {
  const packages = join(venv, "lib", `python${pythonVersion}`, "site-packages");
  try {
    const names = await readdir(packages);
    return names.filter((n) => !n.includes(".dist-info") && !n.endsWith(".pth") && n !== "__pycache__").map((n) => n.replace(/\.py$/, "").replace(/\..*$/, ""));
  } catch {
    return [];
  }
};

export interface HandOver {
  /** The preview's work dir, already holding its files (owned by the slot's uid). */
  readonly workDir: string;
  /** The requirements venv, if any (read-only, shared): linked into the slot. */
  readonly venv: string | undefined;
  /** Exactly a cold launch's interpreter arguments and environment. */
  readonly argv: ReadonlyArray<string>;
  readonly env: Readonly<Record<string, string>>;
  readonly insideVenv: string;
  readonly onOutput: (chunk: OutputChunk) => void;
}

/**
 * Gives a taken slot its preview: the files move into the slot's dir, which then takes the work
 * dir's name (so the preview's paths are a cold launch's), the venv is linked in, and the launch
 * goes down the slot's stdin; the waiting interpreter applies it and runs the cold command.
 */
export const handOver = (slot: WarmSlot, h: HandOver, socketName: string): Effect.Effect<PreviewProcess> =>
  Effect.gen(function* () {
    yield* Effect.promise(async () => {
      await moveEntries(h.workDir, slot.dir);
      // The work dir is empty now, and a directory may be renamed (or a quota mount moved) over an
      // empty one. The output FIFOs follow, where a restarted orchestrator looks for a preview's
      // (it reads them by fd meanwhile).
      await moveDir(slot.dir, h.workDir);
      await rename(outputDirOf(slot.dir), outputDirOf(h.workDir));
      if (h.venv !== undefined) await linkTree(h.venv, slot.venvDir);
    });
    slot.attach(h.onOutput);
    unnice(slot.group.pid);
    const message = `${JSON.stringify({ argv: h.argv, env: h.env, venv: h.venv === undefined ? null : h.insideVenv })}\n`;
    slot.group.stdin?.end(message);
    const removeVenv = Effect.promise(() => Promise.all([
      rm(slot.venvDir, { recursive: true, force: true }),
      rm(outputDirOf(h.workDir), { recursive: true, force: true }),
    ]));
    return {
      pid: slot.group.pid,
      startTicks: slot.group.startTicks,
      exited: slot.group.exited.pipe(Effect.tap(() => removeVenv)),
      stop: slot.group.stop.pipe(Effect.tap(() => removeVenv)),
      upstream: { kind: "unix" as const, path: join(h.workDir, socketName) },
      seal: sealSocket(join(h.workDir, socketName), slot.uid),
      warm: true,
    };
  });
