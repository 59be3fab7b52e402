import { readFileSync } from "node:fs";

/**
 * Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. Together
 * with the pid it names one process for good; a recycled pid has another start time.
 */
export const readStartTicks = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
};

export const isSameProcess = (pid: number, startTicks: string): boolean => readStartTicks(pid) === startTicks;

/** The same process, and not a zombie (an adopted leader whose new parent has not reaped it yet). */
export const isRunningProcess = (pid: number, startTicks: string): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] !== "Z" && fields[19] === startTicks;
  } catch {
    return false;
  }
};

/** Signals a whole process group; false when it no longer exists. */
export const signalGroup = (pgid: number, signal: NodeJS.Signals): boolean => {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
};

export const groupExists = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};
