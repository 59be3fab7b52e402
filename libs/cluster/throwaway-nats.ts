import { type ChildProcess, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";

export interface ThrowawayNats {
  /** nats://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server and waits for it to be gone. */
  readonly stop: () => Promise<void>;
  /** Starts it again on the same port and JetStream dir (for restart fault tests). */
  readonly start: () => Promise<void>;
}

// nats-server's own line once its client port is open, e.g. "Listening for client connections on 127.0.0.1:4222".
const listening = /Listening for client connections on [^:\s]+:(\d+)/;
const readyTimeoutMs = 30_000;

const launch = (dir: string, port: number): Promise<{ child: ChildProcess; port: number }> =>
  new Promise((resolve, reject) => {
    const child = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", join(dir, "jetstream")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let seen = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`nats-server did not start: ${why}${seen === "" ? "" : `\n${seen.slice(-2000)}`}`));
    };
    const timer = setTimeout(() => fail(`no client port after ${readyTimeoutMs / 1000} s`), readyTimeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (seen.length > 64_000) seen = seen.slice(-16_000); // bounded: only the tail is ever shown
      const match = listening.exec(seen);
      if (match !== null && seen.includes("Server is ready")) {
        clearTimeout(timer);
        child.stderr?.off("data", onData);
        child.stderr?.resume(); // keep draining, never block the server on a full pipe
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stderr?.on("data", onData);
    child.on("error", (e) => fail(e.message.includes("ENOENT") ? "nats-server is not installed (run scripts/setup.sh: it installs Debian's nats-server)" : e.message));
    child.on("exit", (code, signal) => fail(`it exited (${signal ?? code})`));
  });

/**
 * A nats-server of its own (Debian's nats-server, JetStream on under `dir`), on 127.0.0.1 and a
 * port the server picks itself (`-p -1`, read back from its log), as a child of this process.
 */
export const startThrowawayNats = async (dir: string): Promise<ThrowawayNats> => {
  await mkdir(dir, { recursive: true });
  let current = await launch(dir, -1);
  const port = current.port;
  const stop = () =>
    new Promise<void>((resolve) => {
      const { child } = current;
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.removeAllListeners("exit");
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  const start = async () => {
    current = await launch(dir, port);
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    get pid() {
      return current.child.pid ?? -1;
    },
    stop,
    start,
  };
};
