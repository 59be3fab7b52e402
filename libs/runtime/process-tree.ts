import { readdirSync, readFileSync } from "node:fs";

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

/**
 * `root` and every process below it (a sandbox's pid namespace hangs under its bwrap: processes
 * that leave their group or session are still its descendants).
 */
export const descendantsOf = (root: number, children: ProcessChildren = processChildren()): ReadonlyArray<number> => {
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
};

/** Memory of `root` and all its descendants, in bytes (their PSS summed: each resident page once). */
export const treeMemoryBytes = (root: number, children: ProcessChildren = processChildren()): number =>
  descendantsOf(root, children).reduce((sum, pid) => sum + proportionalBytes(pid), 0);
