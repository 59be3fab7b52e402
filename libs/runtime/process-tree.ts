import { existsSync, readdirSync, readFileSync } from "node:fs";

const parentOf = (pid: string): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
};

/** Proportional set size: pages shared between processes (a fork's copy-on-write) count once in the sum. */
const proportionalBytes = (pid: number): number => {
  try {
    const pss = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1];
    return Number(pss ?? 0) * 1024;
  } catch {
    return 0;
  }
};

/** Every process's children, from one scan of /proc. */
export type ProcessChildren = ReadonlyMap<number, ReadonlyArray<number>>;

export const processChildren = (): ProcessChildren => {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const parent = parentOf(name);
    if (parent === undefined) continue;
    const siblings = children.get(parent);
    if (siblings === undefined) children.set(parent, [Number(name)]);
    else siblings.push(Number(name));
  }
  return children;
};

/** Whether the kernel keeps each task's children list (CONFIG_PROC_CHILDREN). */
// Asked on first use, not at import: every service's process loads this module (one launcher), and
// only the orchestrator may read /proc under Deno.
let kernelListsChildrenCache: boolean | undefined;
const kernelListsChildren = (): boolean => (kernelListsChildrenCache ??= existsSync(`/proc/self/task/${process.pid}/children`));

/**
 * A process's children from the kernel's own lists, one per thread (a child started by any thread
 * is in that thread's): a few reads per process of the tree, where a scan reads every process on the
 * machine (the memory watchdog's scan of ~200 processes cost ~30 ms a tick on a loaded 2-core host).
 */
const childrenOf = (pid: number): ReadonlyArray<number> => {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const tid of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ")) if (child.trim() !== "") found.push(Number(child));
    } catch {
      // the thread ended meanwhile
    }
  }
  return found;
};

/**
 * `root` and every process below it (a sandbox's pid namespace hangs under its bwrap: processes
 * that leave their group or session are still its descendants). Without `children`, the tree is
 * walked from `root` alone (the kernel's lists, else one scan of /proc).
 */
export const descendantsOf = (root: number, children?: ProcessChildren): ReadonlyArray<number> => {
  const map = children ?? (kernelListsChildren() ? undefined : processChildren());
  const below = (pid: number) => (map === undefined ? childrenOf(pid) : map.get(pid) ?? []);
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    found.push(pid);
    queue.push(...below(pid));
  }
  return found;
};

/** Memory of `root` and all its descendants, in bytes (their PSS summed: each resident page once). */
export const treeMemoryBytes = (root: number, children?: ProcessChildren): number =>
  descendantsOf(root, children).reduce((sum, pid) => sum + proportionalBytes(pid), 0);
