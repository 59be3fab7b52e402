import { readFileSync } from "node:fs";
import { releaseQuota } from "../../libs/runtime/disk-quota.ts";

/** Lets go of every mount under `dir` (quota mounts of previews left running by a crashed orchestrator), so the dir can go. */
export const releaseMountsUnder = async (dir: string): Promise<void> => {
  const points = readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")[4] ?? "").filter((p) => p.startsWith(`${dir}/`));
  for (const point of points.reverse()) await releaseQuota(point);
};
