import { readFileSync } from "node:fs";
import { descendantsOf } from "./process-tree.ts";

const realUidOf = (pid: number): number | undefined => {
  try {
    const line = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return line === null ? undefined : Number(line[1]);
  } catch {
    return undefined;
  }
};

/**
 * The uid a sandboxed preview runs as: its leader (prlimit → bwrap) is root, the processes
 * setpriv started inside run as the preview's own uid, one in [base, base + count).
 */
export const sandboxUidOf = (leader: number, base: number, count: number): number | undefined => {
  for (const pid of descendantsOf(leader)) {
    const uid = realUidOf(pid);
    if (uid !== undefined && uid >= base && uid < base + count) return uid;
  }
  return undefined;
};
