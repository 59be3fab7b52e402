import { readFileSync } from "node:fs";
import { pidsUsingDataDir } from "./processes.ts";

export const parentPid = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
};

const commandLine = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
};

export interface ServiceProcess {
  /** The process running the service's code. */
  readonly pid: number;
  /** The wrapper that started it (tsx runs node as its child), if there is one. */
  readonly wrapper: number | undefined;
}

/** The processes of one platform run (by DATA_DIR) whose command line holds `mark`: the innermost, and its wrapper. */
export const findProcess = (dataDir: string, mark: string): ServiceProcess | undefined => {
  const pids = pidsUsingDataDir(dataDir).filter((p) => commandLine(p).includes(mark));
  const inner = pids.find((p) => !pids.some((q) => parentPid(q) === p));
  if (inner === undefined) return undefined;
  const parent = parentPid(inner);
  return { pid: inner, wrapper: parent !== undefined && pids.includes(parent) ? parent : undefined };
};

export const serviceProcess = (dataDir: string, service: string): ServiceProcess | undefined => findProcess(dataDir, `services/${service}/main.ts`);
