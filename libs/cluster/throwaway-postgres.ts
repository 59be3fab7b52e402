import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir } from "node:fs/promises";
import { join } from "node:path";
import getPort from "get-port";
import { postgresBinDir, postgresUserIds, runAsUser } from "./postgres-binaries.ts";

export interface ThrowawayPostgres {
  /** postgres://app@127.0.0.1:PORT/platform — the database every service of one cluster shares. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server (fast shutdown: open sessions are ended, committed data stays). */
  readonly stop: () => Promise<void>;
  /** Starts it again on the same port and data (for restart fault tests). */
  readonly start: () => Promise<void>;
}

const database = "platform";
const user = "app";

const run = (command: string, args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    const [file, argv] = runAsUser(command, args);
    const child = spawn(file, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => void (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => void (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${out.trim().slice(-2000)}`))));
  });

/**
 * A PostgreSQL of its own under `dir` (Debian's postgresql: initdb + pg_ctl), for tests and
 * `npm run start:cluster`: trust auth for the `app` role, listening on 127.0.0.1 only (its unix
 * socket inside `dir`), on a free port. PostgreSQL refuses to run as root, so as root the server
 * runs as the `postgres` system user, which must be able to reach `dir`. An existing cluster
 * under `dir` (a restart of the same DATA_DIR) is started again with its data; a server an
 * earlier crashed run left running on it is stopped first.
 */
export const startThrowawayPostgres = async (dir: string): Promise<ThrowawayPostgres> => {
  const bin = postgresBinDir();
  const dataDir = join(dir, "data");
  const log = join(dir, "postgres.log");
  await mkdir(dir, { recursive: true });
  if (process.getuid?.() === 0) {
    await chmod(dir, 0o700);
    await chown(dir, ...postgresIds());
    // Every dir above must let that user through (a 0700 mkdtemp parent does not).
    await run("test", ["-x", dir]).catch(() => {
      throw new Error(`The postgres user cannot reach ${dir}: a directory above it is closed to other users; put the cluster's DATA_DIR where every parent is world-executable`);
    });
  }
  const fresh = !existsSync(join(dataDir, "PG_VERSION"));
  if (fresh) {
    await run(join(bin, "initdb"), ["-D", dataDir, "-A", "trust", "-U", user, "--no-sync", "-E", "UTF8", "--locale=C"]);
  } else if (existsSync(join(dataDir, "postmaster.pid"))) {
    await run(join(bin, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "stop"]).catch(() => undefined);
  }
  let port = 0;
  const start = async () => {
    await run(join(bin, "pg_ctl"), [
      "-D", dataDir, "-l", log, "-w", "-t", "60",
      "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`,
      "start",
    ]);
  };
  // PostgreSQL cannot be told port 0: take a free one, and take another if someone beat us to it.
  for (let attempt = 1; ; attempt++) {
    port = await getPort({ host: "127.0.0.1" });
    try {
      await start();
      break;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
  if (fresh) await run(join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", user, database]);
  const stop = async () => {
    if (existsSync(join(dataDir, "postmaster.pid"))) await run(join(bin, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "stop"]);
  };
  return { url: `postgres://${user}@127.0.0.1:${port}/${database}`, port, dir, stop, start };
};

const postgresIds = (): [number, number] => {
  const ids = postgresUserIds();
  if (ids === undefined) throw new Error("PostgreSQL refuses to run as root and there is no `postgres` user: run scripts/setup.sh (it installs Debian's postgresql)");
  return ids;
};
