// Ctrl-C (or SIGTERM) at any moment of a CLI run: the handler is installed before anything else,
// so no signal is lost to Node's default exit; what the run launched is stopped first.
export interface Interrupt {
  /** Set once the run has something to undo; an interrupt runs it, then exits with the code it gives. */
  readonly onInterrupt: (cleanup: () => Promise<number>) => void;
  readonly interrupted: () => boolean;
  /** The main flow awaits this between steps: once interrupted it never goes on (the cleanup exits). */
  readonly unlessInterrupted: () => Promise<void>;
}

export const handleInterrupts = (exit: (code: number) => never): Interrupt => {
  let cleanup: (() => Promise<number>) | undefined;
  let interrupted = false;
  const interrupt = () => {
    // A terminal's Ctrl-C may reach us twice (the tty signals the group, npm forwards it).
    if (interrupted) return;
    interrupted = true;
    // 130: interrupted before there was anything to stop (128 + SIGINT, as shells report it).
    void (cleanup ?? (async () => 130))().then(exit, () => exit(1));
  };
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  return {
    onInterrupt: (f) => { cleanup = f; },
    interrupted: () => interrupted,
    unlessInterrupted: () => (interrupted ? new Promise<void>(() => undefined) : Promise.resolve()),
  };
};
