import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Where Debian's postgresql keeps initdb, pg_ctl and createdb (/usr/lib/postgresql/<major>/bin,
 * not on PATH); POSTGRES_BIN_DIR overrides it. The newest installed major wins.
 */
export const postgresBinDir = (): string => {
  const given = process.env["POSTGRES_BIN_DIR"];
  if (given !== undefined && given !== "") return given;
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root) ? readdirSync(root).filter((m) => existsSync(join(root, m, "bin", "initdb"))) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new Error("No PostgreSQL server binaries under /usr/lib/postgresql: run scripts/setup.sh (it installs Debian's postgresql) or set POSTGRES_BIN_DIR");
  return join(root, newest, "bin");
};

/** The uid and gid of the `postgres` system user Debian's package creates, if there is one. */
export const postgresUserIds = (): [number, number] | undefined => {
  for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [name, , uid, gid] = line.split(":");
    if (name === "postgres") return [Number(uid), Number(gid)];
  }
  return undefined;
};

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user. */
export const runAsUser = (command: string, args: ReadonlyArray<string>): [string, string[]] =>
  process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, [...args]];
