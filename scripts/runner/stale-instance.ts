// Before a service starts, its port must be free. A service left by an earlier run (its runner
// killed before services watched their lifeline, or a wrapper killed while the service shut
// down) is stopped; anything else on the port is reported, and the service is not started.
import { alive, commandLine, parentOf, portHolder, portListening } from "./proc.ts";

export type PortCheck =
  | { readonly kind: "free" }
  | { readonly kind: "stale"; readonly pid: number; readonly command: string }
  | { readonly kind: "taken"; readonly pid: number | undefined; readonly command: string };

const runnerMark = "scripts/procfile.ts";

const underARunner = (pid: number): boolean => {
  for (let p = parentOf(pid), hops = 0; p !== undefined && p > 1 && hops < 64; p = parentOf(p), hops++) {
    if (commandLine(p).includes(runnerMark)) return true;
  }
  return false;
};

/** Our own service of that name, with no runner above it, is stale; anything else is someone's. */
export const checkPort = (service: string, port: number): PortCheck => {
  const pid = portHolder(port);
  if (pid === undefined) return portListening(port) ? { kind: "taken", pid: undefined, command: "" } : { kind: "free" };
  const command = commandLine(pid);
  return command.includes(`services/${service}/main.ts`) && !underARunner(pid) ? { kind: "stale", pid, command } : { kind: "taken", pid, command };
};

const waitGone = async (pid: number, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
};

/** SIGTERM (it stops its previews), then SIGKILL after the grace period. */
export const stopStale = async (pid: number, graceMs: number): Promise<void> => {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  if (await waitGone(pid, graceMs)) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  await waitGone(pid, graceMs);
};
