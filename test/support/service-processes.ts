import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { basename } from "node:path";
import { pidsUsingDataDir } from "./processes.ts";

export const parentPid = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
};

/** A process's command line, words joined by spaces; "" once it has exited (its /proc entry is gone). */
export const commandLine = (pid: number): string => {
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

const descendantsOf = (root: number): number[] => {
  const parents = new Map(readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map((d) => [Number(d), parentPid(Number(d))]));
  const found = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (parent !== undefined && found.has(parent) && !found.has(pid)) (found.add(pid), (grew = true));
    }
  }
  found.delete(root);
  return [...found];
};

const executable = (pid: number): string => {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return "";
  }
};

/**
 * Which program (node, deno) runs each service process started under `root`, by the binary the
 * kernel says it executes, not by what the scripts meant to start. Several replicas of a service
 * give several entries.
 */
export const serviceRuntimes = (root: number): Array<{ service: string; runtime: string }> => {
  const services = descendantsOf(root).flatMap((pid) => {
    const service = /services\/([a-z-]+)\/main\.ts/.exec(commandLine(pid))?.[1];
    return service === undefined ? [] : [{ pid, service }];
  });
  // A wrapper whose command line names the same service (a shim) is not the service itself.
  return services.filter((s) => !services.some((o) => parentPid(o.pid) === s.pid && o.service === s.service))
    .map((s) => ({ service: s.service, runtime: executable(s.pid) }));
};
