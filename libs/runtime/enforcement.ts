import { type CgroupSupport, cgroupEnforcement } from "./cgroups.ts";

/** What /config says about each limit of a runtime on this host: how it is enforced, or that it is not. */
export const enforcedLimits = (runtime: "host" | "sandbox", cgroups: CgroupSupport, diskMb: number | undefined): Readonly<Record<string, string>> => {
  const byCgroup = cgroups.kind === "none" ? undefined : cgroupEnforcement(cgroups);
  return {
    memoryMb: runtime === "sandbox" ? "prlimit RLIMIT_AS per process, and a watchdog on the whole process tree" : "prlimit RLIMIT_AS per process",
    cpuSeconds: "prlimit RLIMIT_CPU per process",
    fileSizeMb: "prlimit RLIMIT_FSIZE",
    maxProcesses: byCgroup !== undefined
      ? `${byCgroup} pids.max for the whole preview`
      : runtime === "sandbox" ? "prlimit RLIMIT_NPROC (each preview its own uid)" : "prlimit RLIMIT_NPROC (per uid; not enforced for root)",
    cpuPercent: byCgroup !== undefined ? `${byCgroup} CPU quota for the whole preview` : cgroupEnforcement(cgroups),
    diskMb: diskMb !== undefined
      ? `the work dir is a tmpfs of its own, size=${diskMb} MB`
      : "not enforced (ORCHESTRATOR_DISK_MB=0, or no right to mount here); RLIMIT_FSIZE bounds each file",
  };
};
