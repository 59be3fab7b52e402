import { spawn } from "node:child_process";
import { lchown, readdir } from "node:fs/promises";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Deferred, Duration, Effect, Exit, Layer, Option, type Scope } from "effect";
import { LineSplitter } from "../logsink/line-splitter.ts";
import { type LaunchSpec, type PreviewProcess, PreviewRuntime, type ProcessExit, type ResourceLimits } from "./contract.ts";
import { bootArgs, bootDir, bootFile } from "./boot/boot-program.ts";
import { type RequirementsUnavailable, RuntimeUnavailable } from "./errors.ts";
import { buildImage, findImage, type ImageInfo, onPath } from "./image/image-store.ts";
import type { ImageRecipe } from "./image/recipe.ts";
import { groupExists, signalGroup } from "./process-identity.ts";
import { descendantsOf, treeMemoryBytes } from "./process-tree.ts";
import { prepareRequirements, type SandboxedRun } from "./requirements/requirements.ts";
import { type CgroupSupport, cgroupOf, createCgroup } from "./cgroups.ts";
import { canMoveQuota, moveOntoQuota } from "./disk-quota.ts";
import { enforcedLimits } from "./enforcement.ts";
import { clearSocketDir, makeSocketDir, sealSocket, socketDirBind } from "./socket-seal.ts";
import { sandboxUidOf } from "./sandbox-uid.ts";
import { keepHeartbeat, type OrphanGuardOptions } from "./orphan-guard.ts";
import { outputDirOf } from "./output-pipes.ts";
import { adoptGroup, spawnGroup, type SpawnedGroup } from "./spawn-group.ts";
import { acceptsConnections } from "./tcp-probe.ts";
import { makeWarmPool } from "./warm-pool.ts";
import { clearIdleSlots, type GroupLaunch, handOver, startWarmSlot, venvModules, type WarmSlot } from "./warm-slot.ts";

export interface SandboxRuntimeOptions {
  readonly imagesDir: string;
  /** Virtualenvs for requirements the image lacks, by requirements hash. */
  readonly venvsDir: string;
  readonly recipe: ImageRecipe;
  readonly mirror: string;
  /** Build a missing image on the first launch (else that launch fails saying how to build it). */
  readonly autoBuild: boolean;
  readonly limits: ResourceLimits;
  readonly cgroups: CgroupSupport;
  readonly stopGraceMs: number;
  /** Previews run as uids from here on, one each, so one preview's process limit is not another's. */
  readonly uidBase: number;
  /** How many uids from the base there are to take (default 50,000). */
  readonly uidCount?: number | undefined;
  readonly tmpMb: number;
  readonly pipIndexUrl: Option.Option<string>;
  readonly pipFindLinks: Option.Option<string>;
  /** Sandboxes kept started ahead of demand (0: every launch is cold), in `warmDir` (same filesystem as the work dirs). */
  readonly warmPoolSize: number;
  readonly warmDir: string;
  /** Previews stop themselves when no orchestrator beats for a while (never re-adopted). */
  readonly orphanGuard?: OrphanGuardOptions | undefined;
  /** Each preview's work dir is a tmpfs of this size (its disk quota), when the host lets us mount one. */
  readonly diskMb?: number | undefined;
}

const mib = 1024 * 1024;
const hostPath = "/usr/sbin:/usr/bin:/sbin:/bin";
/** Where things are inside the sandbox. The work dir lives under the private /tmp (the image is read-only). */
/** The socket is in a dir of its own, pinned and sealed (libs/runtime/socket-seal.ts). */
const socketName = ".preview-socket/preview.sock";
const inside = { app: "/tmp/app", venv: "/tmp/venv", wheelhouse: "/tmp/wheelhouse", socket: `/tmp/app/${socketName}`, boot: "/tmp/.boot" };
/** sockaddr_un holds 108 bytes with the terminating NUL. */
const maxSocketPath = 107;
const imagePython = "/usr/bin/python3";

/** The interpreter's arguments for a preview, cold or warm (a warm slot runs exactly these): the boot program. */
const previewArgs = (spec: LaunchSpec): ReadonlyArray<string> =>
  bootArgs({ program: `${inside.boot}/${bootFile}`, project: inside.app, entry: spec.entry, listen: { uds: inside.socket }, rootPath: spec.rootPath });
/** The boot program's dir, read-only in every preview's sandbox. */
const bootBind = { host: bootDir, inside: inside.boot, writable: false };

/** A preview's whole environment, cold or warm. */
const previewEnv = (venvDir: string | undefined, env: Readonly<Record<string, string>>): Record<string, string> =>
  ({ PATH: `${venvDir === undefined ? "" : `${inside.venv}/bin:`}/usr/bin:/bin`, HOME: inside.app, LANG: "C.UTF-8", ...env });

/** Variables the interpreter reads only as it starts: a preview that sets one cannot use a started one. */
const startupOnly = (env: Readonly<Record<string, string>>): ReadonlyArray<string> =>
  Object.keys(env).filter((k) => k.startsWith("PYTHON") && k !== "PYTHONUNBUFFERED" && k !== "PYTHONDONTWRITEBYTECODE");
const memoryCheckMs = 250;

/** A running preview's process tree, held to its memory limit by the layer's watchdog. */
interface WatchedGroup {
  readonly limitBytes: number;
  readonly kill: (usedBytes: number) => void;
}

/** Checks every watched tree (by its root pid, walked from it alone); a tree over its limit is killed and no longer watched. */
const checkMemory = (watched: Map<number, WatchedGroup>): void => {
  for (const [pid, group] of watched) {
    const used = treeMemoryBytes(pid);
    if (used > group.limitBytes) {
      watched.delete(pid);
      group.kill(used);
    }
  }
};

export const imagesDirOf = (dataDir: string, configured: Option.Option<string>): string =>
  resolve(Option.getOrElse(configured, () => join(dataDir, "runtime", "images")));

/** Whether `auto` may pick the sandbox: bwrap is installed and the recipe's image is built. */
export const sandboxAvailable = (imagesDir: string, recipe: ImageRecipe): boolean => onPath("bwrap") && findImage(imagesDir, recipe) !== undefined;

const chownTree = async (dir: string, uid: number): Promise<void> => {
  await lchown(dir, uid, uid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(path, uid);
    else await lchown(path, uid, uid);
  }
};

interface SandboxCommand {
  readonly image: ImageInfo;
  readonly uid: number;
  readonly limits: ResourceLimits;
  readonly tmpMb: number;
  readonly binds: ReadonlyArray<{ readonly host: string; readonly inside: string; readonly writable: boolean }>;
  readonly network: boolean;
  readonly env: Readonly<Record<string, string>>;
  readonly command: ReadonlyArray<string>;
  /** A preview outlives a crashed orchestrator (to be re-adopted); a requirements step never does. */
  readonly outlivesParent?: boolean;
}

/**
 * prlimit (limits inherited by everything inside) → bwrap as root, which builds the mount, PID, IPC,
 * UTS and network namespaces and keeps only the capabilities setpriv needs → setpriv, which becomes
 * the preview's own uid with no capabilities and no_new_privs, then execs the command.
 *
 * bwrap runs without a user namespace on purpose: inside one, the preview's uid would map to root on
 * the host, which the kernel exempts from RLIMIT_NPROC. No `--new-session`: stdin is not a terminal,
 * and staying in bwrap's process group lets a stop's SIGTERM reach uvicorn for a graceful exit.
 */
const sandboxArgs = (c: SandboxCommand): ReadonlyArray<string> => [
  `--as=${c.limits.memoryMb * 2 * mib}`, `--nproc=${c.limits.maxProcesses}`,
  `--fsize=${c.limits.fileSizeMb * mib}`, `--cpu=${c.limits.cpuSeconds}`, "--",
  "bwrap",
  "--ro-bind", c.image.root, "/",
  "--dev", "/dev", "--proc", "/proc",
  "--perms", "1777", "--size", String(c.tmpMb * mib), "--tmpfs", "/tmp",
  ...c.binds.flatMap((b) => [b.writable ? "--bind" : "--ro-bind", b.host, b.inside]),
  ...(c.network && existsSync("/etc/resolv.conf") ? ["--ro-bind", "/etc/resolv.conf", "/etc/resolv.conf"] : []),
  "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", ...(c.network ? [] : ["--unshare-net"]),
  "--hostname", "preview", ...(c.outlivesParent === true ? [] : ["--die-with-parent"]),
  "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP",
  "--clearenv", ...Object.entries(c.env).flatMap(([k, v]) => ["--setenv", k, v]),
  "--chdir", c.binds.some((b) => b.inside === inside.app) ? inside.app : "/tmp",
  "--",
  "setpriv", `--reuid=${c.uid}`, `--regid=${c.uid}`, "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
  ...c.command,
];

/**
 * SIGTERM to what runs inside only: bwrap has no handler and would die at once, and its death
 * takes the whole PID namespace down with SIGKILL before uvicorn could shut down.
 */
const stopInside = (group: SpawnedGroup, graceMs: number) =>
  Effect.gen(function* () {
    for (const pid of descendantsOf(group.pid).slice(2)) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    const graceful = yield* group.exited.pipe(Effect.timeoutOption(Duration.millis(graceMs)));
    if (graceful._tag === "Some") return graceful.value;
    return yield* group.stop;
  });

/** Runs a short command in the sandbox (the requirements step): stdout collected, stderr lines streamed and kept. */
const runToEnd = (args: ReadonlyArray<string>, onLine: (line: string) => void) =>
  Effect.callback<{ code: number; stdout: string; stderr: ReadonlyArray<string> }, RuntimeUnavailable>((resume) => {
    const child = spawn("prlimit", args, { cwd: "/", env: { PATH: hostPath }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    const stderr: string[] = [];
    child.stdout.on("data", (c: Buffer) => { stdout += c.toString("utf8"); });
    const splitter = new LineSplitter((line) => {
      stderr.push(line);
      if (stderr.length > 40) stderr.shift();
      onLine(line);
    });
    child.stderr.on("data", (c: Buffer) => splitter.push(c));
    child.stderr.on("end", () => splitter.end());
    child.once("error", (e) => resume(Effect.fail(new RuntimeUnavailable({ message: `Could not start the sandbox: ${e.message}` }))));
    child.once("close", (code, signal) => resume(Effect.succeed({ code: code ?? 128 + (signal === null ? 0 : 9), stdout, stderr })));
    return Effect.sync(() => {
      if (child.pid !== undefined && groupExists(child.pid)) signalGroup(child.pid, "SIGKILL");
    });
  });

/**
 * The sandbox runtime: each preview runs in bubblewrap over the recipe's Debian image, as its own
 * unprivileged uid, with no network, private /tmp, PID/IPC/UTS namespaces, resource limits and a
 * cleared environment; uvicorn listens on a Unix socket in the work dir.
 */
export const SandboxRuntimeLive = (options: SandboxRuntimeOptions) =>
  Layer.effect(
    PreviewRuntime,
    Effect.gen(function* () {
      const scope: Scope.Scope = yield* Effect.scope;
      const { limits } = options;
      if (options.orphanGuard !== undefined) yield* keepHeartbeat(options.orphanGuard.heartbeat, options.orphanGuard.graceSeconds);
      // One ticker for all previews: each tick reads /proc once, however many previews run.
      const watched = new Map<number, WatchedGroup>();
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          const ticker = setInterval(() => checkMemory(watched), memoryCheckMs);
          ticker.unref();
          return ticker;
        }),
        (ticker) => Effect.sync(() => clearInterval(ticker)),
      );
      const uidSlots = options.uidCount ?? 50_000;
      const usedUids = new Set<number>();
      const noUid = () => new RuntimeUnavailable({
        message: `Every sandbox uid (${uidSlots} from ${options.uidBase}) is taken by a running preview; stop one, or raise ORCHESTRATOR_SANDBOX_UIDS`,
      });
      /** A uid no running preview has; call only when `usedUids.size < uidSlots`. */
      const takeUid = (): number => {
        for (;;) {
          const uid = options.uidBase + Math.floor(Math.random() * uidSlots);
          if (!usedUids.has(uid)) {
            usedUids.add(uid);
            return uid;
          }
        }
      };

      // One image build at a time, whoever asks; every launch waiting on it sees its progress.
      let building: Deferred.Deferred<ImageInfo, RuntimeUnavailable> | undefined;
      const listeners = new Set<(line: string) => void>();
      const ensureImage = (say: (line: string) => void) =>
        Effect.gen(function* () {
          const ready = findImage(options.imagesDir, options.recipe);
          if (ready !== undefined) return ready;
          if (!options.autoBuild) {
            return yield* Effect.fail(new RuntimeUnavailable({
              message: `The sandbox image is not built (looked in ${options.imagesDir}); run \`npm run runtime:build\`, or set ORCHESTRATOR_RUNTIME=host`,
            }));
          }
          if (building === undefined) {
            const deferred = yield* Deferred.make<ImageInfo, RuntimeUnavailable>();
            building = deferred;
            const build = buildImage({
              imagesDir: options.imagesDir, recipe: options.recipe, mirror: options.mirror,
              onProgress: (line) => { for (const l of listeners) l(line); },
            });
            yield* Effect.forkIn(build.pipe(
              Effect.onExit((exit) => Effect.andThen(Effect.sync(() => { building = undefined; }), Deferred.done(deferred, exit))),
            ), scope);
          }
          const wait = building;
          listeners.add(say);
          return yield* Deferred.await(wait).pipe(Effect.ensuring(Effect.sync(() => listeners.delete(say))));
        });

      /**
       * One sandboxed process tree: started under prlimit + bwrap + setpriv as `uid`, watched by the
       * memory watchdog, stopped gracefully. Cold launches and warm slots both start this way, so a
       * warm launch has exactly a cold one's isolation.
       */
      const launchGroup = (g: GroupLaunch) =>
        Effect.gen(function* () {
          let overLimit: string | undefined;
          // The group may end before it is watched; then it never is.
          let gone = false;
          let watchedPid: number | undefined;
          const group = yield* spawnGroup({
            cgroup: createCgroup(options.cgroups, limits),
            command: g.nice === undefined ? "prlimit" : "nice",
            args: [
              ...(g.nice === undefined ? [] : ["-n", String(g.nice), "prlimit"]),
              ...sandboxArgs({ image: g.image, uid: g.uid, limits, tmpMb: options.tmpMb, network: false, outlivesParent: true, binds: g.binds, env: g.env, command: g.command }),
            ],
            cwd: "/",
            env: { PATH: hostPath },
            outputDir: g.outputDir,
            onOutput: g.onOutput,
            stopGraceMs: options.stopGraceMs,
            stdin: g.stdin === true,
            orphanGuard: options.orphanGuard,
            onGone: Effect.andThen(Effect.sync(() => {
              gone = true;
              if (watchedPid !== undefined) watched.delete(watchedPid);
            }), g.releaseUid),
          });
          // RLIMIT_AS bounds each process; the whole tree's resident memory is held to the limit by the watchdog.
          if (!gone) {
            watchedPid = group.pid;
            watched.set(group.pid, {
              limitBytes: limits.memoryMb * mib,
              kill: (used) => {
                overLimit = `was stopped: its processes used ${Math.round(used / mib)} MB of memory, over the ${limits.memoryMb} MB limit`;
                signalGroup(group.pid, "SIGKILL");
              },
            });
          }
          const explain = (exit: ProcessExit): ProcessExit => (overLimit === undefined ? exit : { ...exit, reason: overLimit });
          const stop = stopInside(group, options.stopGraceMs);
          return {
            pid: group.pid,
            startTicks: group.startTicks,
            exited: group.exited.pipe(Effect.map(explain)),
            stop: stop.pipe(Effect.map(explain)),
            upstream: g.upstream,
            stdin: group.stdin,
            ...(g.upstream.kind === "unix" ? { seal: sealSocket(g.upstream.path, g.uid) } : {}),
          };
        });

      yield* Effect.promise(() => clearIdleSlots(options.warmDir));
      // A warm slot's quota mount must move to become a work dir; where it cannot, launches stay cold
      // rather than go without the quota a cold launch has.
      const slotsMayMove = options.diskMb === undefined || options.warmPoolSize === 0 || (yield* Effect.promise(() => canMoveQuota(options.warmDir)));
      if (!slotsMayMove) {
        yield* Effect.logWarning("warm pool off: this host refuses mount --move under the previews dir (shared mount propagation), which a warm slot's disk quota needs; set ORCHESTRATOR_DISK_MB=0 to have warm launches without the quota");
      }
      const pool = yield* makeWarmPool<WarmSlot>({
        size: slotsMayMove ? options.warmPoolSize : 0,
        onTrouble: (message) => Effect.runFork(Effect.logWarning(message)),
        start: Effect.gen(function* () {
          const image = findImage(options.imagesDir, options.recipe);
          if (image === undefined) return yield* Effect.fail(new RuntimeUnavailable({ message: "no image yet" }));
          if (usedUids.size >= uidSlots) return yield* Effect.fail(noUid());
          return yield* startWarmSlot({
            slotsDir: options.warmDir, image, launch: launchGroup,
            takeUid: () => {
              const uid = takeUid();
              return { uid, release: Effect.sync(() => usedUids.delete(uid)) };
            },
            insideApp: inside.app, insideVenv: inside.venv, socketName, extraBinds: [bootBind],
            command: [imagePython, `${inside.boot}/${bootFile}`, "--warm"],
            baseEnv: { PATH: "/usr/bin:/bin", HOME: inside.app, LANG: "C.UTF-8", PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
            diskMb: options.diskMb,
          });
        }),
      });
      const warmPool = {
        /** A slot for this launch, or none (and the preview's log says why it starts cold). */
        take: (spec: LaunchSpec, say: (message: string, level: "INFO" | "WARN") => void): WarmSlot | undefined => {
          if (pool.size === 0) return undefined;
          const blockers = startupOnly(spec.env);
          if (blockers.length > 0) {
            say(`cold start: ${blockers.join(", ")} must be set as the interpreter starts, so a pre-started sandbox cannot serve`, "INFO");
            return undefined;
          }
          const slot = pool.take();
          if (slot === undefined) say(`cold start: the warm pool (${pool.size}) is empty; it refills in the background`, "INFO");
          return slot;
        },
      };
      const venvClash = (slot: WarmSlot, venvDir: string, image: ImageInfo) =>
        Effect.promise(() => venvModules(venvDir, image.python.split(".").slice(0, 2).join("."))).pipe(
          Effect.map((names) => names.filter((n) => slot.modules().has(n))),
        );

      const start = (spec: LaunchSpec, mayBeWarm = true): Effect.Effect<PreviewProcess, RuntimeUnavailable | RequirementsUnavailable> =>
        Effect.gen(function* () {
          const say = spec.onSystemLine ?? (() => {});
          if (!onPath("bwrap")) {
            return yield* Effect.fail(new RuntimeUnavailable({ message: "bwrap is not installed: apt-get install -y bubblewrap, or set ORCHESTRATOR_RUNTIME=host" }));
          }
          const socketPath = join(spec.workDir, socketName);
          if (Buffer.byteLength(socketPath) > maxSocketPath) {
            return yield* Effect.fail(new RuntimeUnavailable({ message: `The preview's socket path ${socketPath} is over ${maxSocketPath} bytes; use a shorter DATA_DIR` }));
          }
          const image = yield* ensureImage((line) => say(line, "INFO"));
          const takeSlot = mayBeWarm ? warmPool.take : () => undefined;
          // A warm slot brings its own uid (released when its processes are gone).
          const slot = takeSlot(spec, say);
          if (slot === undefined && usedUids.size >= uidSlots) return yield* Effect.fail(noUid());
          const uid = slot?.uid ?? takeUid();
          const releaseUid = slot === undefined ? Effect.sync(() => usedUids.delete(uid)) : slot.discard;
          return yield* Effect.gen(function* () {
            // A cold launch's work dir moves onto its quota here; a warm slot's dir has one already.
            const diskMb = options.diskMb;
            if (slot === undefined && diskMb !== undefined) {
              yield* Effect.tryPromise({
                try: () => moveOntoQuota(spec.workDir, diskMb),
                catch: (e) => new RuntimeUnavailable({ message: `Could not give the preview its ${diskMb} MB disk quota: ${e instanceof Error ? e.message : String(e)}` }),
              });
            }
            yield* Effect.promise(() => clearSocketDir(spec.workDir, socketName));
            yield* Effect.promise(() => chownTree(spec.workDir, uid));
            const findLinks = Option.getOrUndefined(options.pipFindLinks);
            const localWheelhouse = findLinks !== undefined && existsSync(findLinks) && statSync(findLinks).isDirectory() ? resolve(findLinks) : undefined;
            const { venvDir, unresolved } = yield* prepareRequirements({
              venvsDir: options.venvsDir,
              imageHash: image.hash,
              indexUrl: Option.getOrUndefined(options.pipIndexUrl),
              findLinks,
              say,
              run: (run: SandboxedRun) =>
                Effect.gen(function* () {
                  if (run.venvDir !== undefined) yield* Effect.promise(() => chownTree(run.venvDir ?? "", uid));
                  return yield* runToEnd(sandboxArgs({
                    image, uid, limits, tmpMb: options.tmpMb, network: run.network,
                    binds: [
                      ...(run.venvDir === undefined ? [] : [{ host: run.venvDir, inside: inside.venv, writable: true }]),
                      ...(localWheelhouse === undefined ? [] : [{ host: localWheelhouse, inside: inside.wheelhouse, writable: false }]),
                    ],
                    env: { PATH: "/usr/bin:/bin", HOME: "/tmp", LANG: "C.UTF-8", PYTHONDONTWRITEBYTECODE: "1" },
                    command: ["/usr/bin/python3", "-c", run.script, ...run.args],
                  }), run.onLine ?? (() => {}));
                }),
            }, spec.workDir);

            const withUnresolved = (p: PreviewProcess): PreviewProcess => ({ ...p, unresolvedRequirements: unresolved });
            const clash = slot === undefined || venvDir === undefined ? [] : yield* venvClash(slot, venvDir, image);
            if (slot !== undefined && clash.length === 0) {
              say(`warm start: a pre-started sandbox (its common modules already imported) takes the preview`, "INFO");
              return withUnresolved(yield* handOver(slot, {
                workDir: spec.workDir, venv: venvDir, insideVenv: inside.venv, onOutput: spec.onOutput,
                argv: previewArgs(spec), env: previewEnv(venvDir, spec.env),
              }, socketName));
            }
            if (slot !== undefined) {
              say(`cold start: requirements.txt brings its own ${clash.join(", ")}, which the warm sandbox had imported from the image`, "INFO");
              yield* Effect.forkDetach(slot.discard);
              return yield* Effect.suspend(() => start(spec, false));
            }
            yield* Effect.promise(() => makeSocketDir(spec.workDir, socketName, uid));
            return withUnresolved(yield* launchGroup({
              image, uid, releaseUid,
              binds: [
                { host: spec.workDir, inside: inside.app, writable: true },
                socketDirBind(spec.workDir, inside.app, socketName),
                ...(venvDir === undefined ? [] : [{ host: venvDir, inside: inside.venv, writable: false }]),
                bootBind,
              ],
              env: previewEnv(venvDir, spec.env),
              command: [venvDir === undefined ? imagePython : `${inside.venv}/bin/python`, ...previewArgs(spec)],
              onOutput: spec.onOutput,
              outputDir: outputDirOf(spec.workDir),
              upstream: { kind: "unix", path: socketPath },
            }));
          }).pipe(Effect.onExit((exit) => (Exit.isFailure(exit) ? releaseUid : Effect.void)));
        });

      return PreviewRuntime.of({
        name: "sandbox",
        limits,
        enforced: enforcedLimits("sandbox", options.cgroups, options.diskMb),
        warmPool: { size: pool.size, ready: pool.ready, full: pool.full },
        isAnswering: (upstream) => Effect.promise(() => acceptsConnections(upstream)),
        start,
        adopt: (spec) =>
          Effect.gen(function* () {
            // Its uid is taken again until it ends, so no launch shares it (and its process limit).
            const uid = sandboxUidOf(spec.pid, options.uidBase, uidSlots);
            const group = yield* adoptGroup({
              pid: spec.pid,
              startTicks: spec.startTicks,
              outputDir: outputDirOf(spec.workDir),
              onOutput: spec.onOutput,
              stopGraceMs: options.stopGraceMs,
              onGone: Effect.sync(() => {
                watched.delete(spec.pid);
                if (uid !== undefined) usedUids.delete(uid);
              }),
              cgroup: cgroupOf(options.cgroups, spec.pid),
            });
            if (group === undefined) return undefined;
            if (uid !== undefined) usedUids.add(uid);
            let overLimit: string | undefined;
            watched.set(group.pid, {
              limitBytes: limits.memoryMb * mib,
              kill: (used) => {
                overLimit = `was stopped: its processes used ${Math.round(used / mib)} MB of memory, over the ${limits.memoryMb} MB limit`;
                signalGroup(group.pid, "SIGKILL");
              },
            });
            const explain = (exit: ProcessExit): ProcessExit => (overLimit === undefined ? exit : { ...exit, reason: overLimit });
            return {
              pid: group.pid,
              startTicks: group.startTicks,
              exited: group.exited.pipe(Effect.map(explain)),
              stop: stopInside(group, options.stopGraceMs).pipe(Effect.map(explain)),
              upstream: spec.upstream,
            };
          }),
      });
    }),
  );
