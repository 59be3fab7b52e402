import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Duration, Effect } from "effect";

/**
 * Per-preview control groups for what prlimit cannot bound: the number of processes of the whole
 * preview (RLIMIT_NPROC counts per uid, and not at all for root) and its share of the CPU. Where
 * the host offers them: cgroup v2 (one tree with cgroup.controllers) or v1 (a `pids` and a `cpu`
 * hierarchy, as on this machine); else none, and /config says so.
 */
export type CgroupSupport =
  | { readonly kind: "v2"; readonly root: string }
  /** `cpuacct` when it is a hierarchy of its own: the group's CPU usage is read there. */
  | { readonly kind: "v1"; readonly pids: string; readonly cpu: string; readonly cpuacct?: string }
  | { readonly kind: "none"; readonly why: string };

export interface CgroupLimits {
  readonly maxProcesses: number;
  /** Percent of one CPU the preview's processes may use together (100 = one core). */
  readonly cpuPercent: number;
}

const parentName = "preview-platform";
const periodUs = 100_000;

/** Creates (or finds) our parent group in each hierarchy and checks it is writable, as root must. */
export const detectCgroups = (base = "/sys/fs/cgroup"): CgroupSupport => {
  try {
    if (existsSync(join(base, "cgroup.controllers"))) {
      const root = join(base, parentName);
      mkdirSync(root, { recursive: true });
      const available = readFileSync(join(root, "cgroup.controllers"), "utf8");
      if (!/\bpids\b/.test(available) || !/\bcpu\b/.test(available)) {
        writeFileSync(join(base, "cgroup.subtree_control"), "+pids +cpu");
      }
      writeFileSync(join(root, "cgroup.subtree_control"), "+pids +cpu");
      return { kind: "v2", root };
    }
    const pids = join(base, "pids");
    const cpu = join(base, "cpu");
    if (!existsSync(join(pids, "cgroup.procs")) || !existsSync(join(cpu, "cpu.cfs_quota_us"))) {
      return { kind: "none", why: `no cgroup v2 tree and no v1 pids and cpu hierarchies under ${base}` };
    }
    mkdirSync(join(pids, parentName), { recursive: true });
    mkdirSync(join(cpu, parentName), { recursive: true });
    const cpuacct = join(base, "cpuacct");
    const ownAccounting = existsSync(join(cpuacct, "cpuacct.usage")) && !existsSync(join(cpu, "cpuacct.usage"));
    if (ownAccounting) mkdirSync(join(cpuacct, parentName), { recursive: true });
    return { kind: "v1", pids: join(pids, parentName), cpu: join(cpu, parentName), ...(ownAccounting ? { cpuacct: join(cpuacct, parentName) } : {}) };
  } catch (e) {
    return { kind: "none", why: `cgroups are not writable here (${e instanceof Error ? e.message : String(e)})` };
  }
};

export interface PreviewCgroup {
  /** The `cgroup.procs` files a process writes its pid to before it execs the preview. */
  readonly procsFiles: ReadonlyArray<string>;
  /** The group's directories (one per hierarchy), for its stats and its removal. */
  readonly dirs: ReadonlyArray<string>;
}

/** A new group with the limits set; nothing is in it yet. */
export const createCgroup = (support: CgroupSupport, limits: CgroupLimits): PreviewCgroup | undefined => {
  if (support.kind === "none") return undefined;
  const name = `g-${randomBytes(6).toString("hex")}`;
  const quotaUs = Math.max(1000, Math.round((limits.cpuPercent / 100) * periodUs));
  if (support.kind === "v2") {
    const dir = join(support.root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, "pids.max"), String(limits.maxProcesses));
    writeFileSync(join(dir, "cpu.max"), `${quotaUs} ${periodUs}`);
    return { procsFiles: [join(dir, "cgroup.procs")], dirs: [dir] };
  }
  const dirs = [join(support.pids, name), join(support.cpu, name), ...(support.cpuacct === undefined ? [] : [join(support.cpuacct, name)])];
  for (const dir of dirs) mkdirSync(dir);
  const [pids = "", cpu = ""] = dirs;
  writeFileSync(join(pids, "pids.max"), String(limits.maxProcesses));
  writeFileSync(join(cpu, "cpu.cfs_period_us"), String(periodUs));
  writeFileSync(join(cpu, "cpu.cfs_quota_us"), String(quotaUs));
  return { procsFiles: dirs.map((d) => join(d, "cgroup.procs")), dirs };
};

/**
 * The command and arguments that run `command` inside the group: a shell writes its own pid to
 * each `cgroup.procs`, then execs (same pid), so the preview and all it forks are counted from
 * its first instruction, with no window in which a fork escapes.
 */
export const inCgroup = (group: PreviewCgroup | undefined, command: string, args: ReadonlyArray<string>) =>
  group === undefined
    ? { command, args }
    : {
      command: "/bin/sh",
      // The shell exports PWD on its own; the preview's environment must stay exactly the one given.
      args: ["-c", 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; unset PWD; exec "$@"', "sh", ...group.procsFiles, "--", command, ...args],
    };

/**
 * Kills every process still in the preview's groups: one that left the process group (its own
 * session) is still in them, and would otherwise outlive the preview holding its output pipes.
 */
export const killCgroup = (group: PreviewCgroup | undefined): void => {
  for (const dir of group?.dirs ?? []) {
    let procs: string;
    try {
      procs = readFileSync(join(dir, "cgroup.procs"), "utf8");
    } catch {
      continue;
    }
    for (const pid of procs.split("\n").filter((p) => p !== "")) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
};

/** Removes the group's directories it can: one still in use stays (EBUSY). True when none is left. */
export const removeCgroup = (group: PreviewCgroup | undefined): boolean => {
  let left = false;
  for (const dir of group?.dirs ?? []) {
    try {
      rmdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") left = true;
    }
  }
  return left === false;
};

const releasePollMs = 20;
/** A process killed with its preview dies when it next runs; a group held at its CPU quota may wait its turn. */
const releaseBoundMs = 10_000;

/**
 * Removes the group once its last process is gone: killed processes still exiting hold it (rmdir
 * says EBUSY), so it kills what is left and tries again, within a bound; a group that outlives
 * the bound is left to `removeStaleCgroups`.
 */
export const releaseCgroup = (group: PreviewCgroup | undefined): Effect.Effect<void> =>
  Effect.gen(function* () {
    for (const started = Date.now(); !removeCgroup(group) && Date.now() - started < releaseBoundMs;) {
      killCgroup(group);
      yield* Effect.sleep(Duration.millis(releasePollMs));
    }
  });

/** The groups of ours a running process is in (an adopted preview's), from /proc/<pid>/cgroup. */
export const cgroupOf = (support: CgroupSupport, pid: number): PreviewCgroup | undefined => {
  if (support.kind === "none") return undefined;
  let lines: string[];
  try {
    lines = readFileSync(`/proc/${pid}/cgroup`, "utf8").trim().split("\n");
  } catch {
    return undefined;
  }
  const dirs: string[] = [];
  for (const line of lines) {
    const [, controllers = "", path = ""] = line.split(":");
    const name = new RegExp(`/${parentName}/(g-[0-9a-f]+)$`).exec(path)?.[1];
    if (name === undefined) continue;
    if (support.kind === "v2" && controllers === "") dirs.push(join(support.root, name));
    if (support.kind === "v1" && controllers.split(",").includes("pids")) dirs.push(join(support.pids, name));
    if (support.kind === "v1" && controllers.split(",").includes("cpu")) dirs.push(join(support.cpu, name));
    if (support.kind === "v1" && support.cpuacct !== undefined && controllers === "cpuacct") dirs.push(join(support.cpuacct, name));
  }
  return dirs.length === 0 ? undefined : { procsFiles: dirs.map((d) => join(d, "cgroup.procs")), dirs };
};

/**
 * Empty groups of ours older than `minAgeMs`: left by previews that ended while no orchestrator
 * ran (killed with it, or by hand). A group still in use refuses rmdir (EBUSY) and stays; the age
 * spares a group another orchestrator has just made and not yet joined.
 */
export const removeStaleCgroups = (support: CgroupSupport, minAgeMs = 60_000): void => {
  const parents = support.kind === "v2" ? [support.root] : support.kind === "v1" ? [support.pids, support.cpu, ...(support.cpuacct === undefined ? [] : [support.cpuacct])] : [];
  for (const parent of parents) {
    for (const name of readdirSync(parent)) {
      const dir = join(parent, name);
      if (!name.startsWith("g-") || Date.now() - statSync(dir).mtimeMs < minAgeMs) continue;
      removeCgroup({ procsFiles: [], dirs: [dir] });
    }
  }
};

/** How the runtime's limits are enforced, for /config. */
export const cgroupEnforcement = (support: CgroupSupport): string =>
  support.kind === "none" ? `not enforced (${support.why})` : `cgroup ${support.kind}`;
