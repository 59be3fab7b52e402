import { readdirSync, readFileSync } from "node:fs";

const pageBytes = 4096;

const parentOf = (pid: string): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
};

const residentBytes = (pid: number): number => {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1] ?? 0) * pageBytes;
  } catch {
    return 0;
  }
};

/**
 * `root` and every process below it (a sandbox's pid namespace hangs under its bwrap: processes
 * that leave their group or session are still its descendants).
 */
export const descendantsOf = (root: number): ReadonlyArray<number> => {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const parent = parentOf(name);
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
};

/** Resident memory of `root` and all its descendants, in bytes. */
export const treeResidentBytes = (root: number): number => descendantsOf(root).reduce((sum, pid) => sum + residentBytes(pid), 0);
