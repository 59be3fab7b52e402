import { Config, ConfigProvider, Effect } from "effect";

/**
 * How a service started by the runner (scripts/procfile.ts) learns that it must not outlive it.
 * The runner sets PLATFORM_LIFELINE=stdin and keeps the only write end of the service's stdin
 * pipe: whatever kills the runner (kill -9 included), the kernel closes that end and the service
 * reads end-of-file. A wrapper between the two (tsx runs node as its child) can die alone too;
 * then the service is re-parented, which a poll of its parent pid sees (Linux's parent-death
 * signal, which Node does not expose).
 */
const lifelineSetting = Config.String("PLATFORM_LIFELINE").pipe(Config.withDefault(""));

const parentPollMs = 500;

export const watchLifeline = (lost: (reason: string) => void): void => {
  const mode = Effect.runSync(lifelineSetting.parse(ConfigProvider.fromEnv()));
  if (mode !== "stdin") return;
  let gone = false;
  const once = (reason: string) => {
    if (gone) return;
    gone = true;
    lost(reason);
  };
  // The runner reads our stdout and stderr. With it gone, a write fails with EPIPE, and that can
  // come before the lifeline's end-of-file is read: unhandled, it crashed the service on the spot,
  // and an orchestrator then left its previews running. It is the same news, and never fatal.
  process.stdout.on("error", () => once("the runner is gone (our output's reader closed it)"));
  process.stderr.on("error", () => once("the runner is gone (our output's reader closed it)"));
  process.stdin.on("end", () => once("the runner is gone (its lifeline closed)"));
  process.stdin.on("error", () => once("the runner is gone (its lifeline failed)"));
  process.stdin.on("data", () => undefined);
  const parent = process.ppid;
  const poll = setInterval(() => {
    if (process.ppid !== parent) once(`its parent process ${parent} is gone`);
  }, parentPollMs);
  poll.unref();
};
