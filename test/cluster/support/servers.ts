import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ThrowawayNats, startThrowawayNats } from "../../../libs/cluster/throwaway-nats.ts";
import { type ThrowawayPostgres, startThrowawayPostgres } from "../../../libs/cluster/throwaway-postgres.ts";

/** A real PostgreSQL for one test file (Debian's, which scripts/setup.sh installs), removed after. */
export const startTestPostgres = async (): Promise<ThrowawayPostgres & { readonly dispose: () => Promise<void> }> => {
  const root = await mkdtemp(join(tmpdir(), "pg-test-"));
  await chmod(root, 0o755); // the postgres user must get through it
  const pg = await startThrowawayPostgres(join(root, "pg"));
  return {
    ...pg,
    dispose: async () => {
      await pg.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
};

/** A fresh empty database on that server, for a test that needs one of its own; its URL. */
export const freshDatabase = (pg: ThrowawayPostgres, name: string): string => {
  execFileSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", pg.url, "-c", `create database ${name}`], { stdio: ["ignore", "pipe", "pipe"] });
  return pg.url.replace(/\/[^/]+$/, `/${name}`);
};

/** A real nats-server for one test file (Debian's, which scripts/setup.sh installs), removed after. */
export const startTestNats = async (): Promise<ThrowawayNats & { readonly dispose: () => Promise<void> }> => {
  const root = await mkdtemp(join(tmpdir(), "nats-test-"));
  const nats = await startThrowawayNats(join(root, "nats"));
  return Object.assign(nats, {
    dispose: async () => {
      await nats.stop();
      await rm(root, { recursive: true, force: true });
    },
  });
};

/** One query's answer from psql, unaligned and without headers (rows on lines, columns by `|`). */
export const psql = (url: string, sql: string): string =>
  execFileSync("psql", ["-X", "-A", "-t", url, "-c", sql], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
