import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { Effect } from "effect";
import { isDeno } from "../js-runtime/is-deno.ts";
import type { SqliteClient } from "./node-sqlite-client.ts";

export interface SqliteOptions<TSchema extends Record<string, unknown>> {
  readonly file: string;
  readonly migrationsFolder: string;
  readonly schema: TSchema;
}

/**
 * The driver for this runtime: better-sqlite3 on Node; on Deno, which cannot load its native
 * addon, node:sqlite behind the same synchronous API.
 */
const openClient = async (file: string): Promise<SqliteClient> => {
  if (isDeno) {
    const [{ DatabaseSync }, { nodeSqliteClient }] = await Promise.all([import("node:sqlite"), import("./node-sqlite-client.ts")]);
    return nodeSqliteClient(new DatabaseSync(file));
  }
  const { default: BetterSqlite } = await import("better-sqlite3");
  return new BetterSqlite(file) as unknown as SqliteClient;
};

/**
 * Opens a service's SQLite file (WAL, foreign keys, a busy timeout for a second process on the
 * same file), applies its drizzle migrations, and closes it with the scope — a clean close is
 * what removes the -wal/-shm files.
 */
export const openSqlite = <TSchema extends Record<string, unknown>>(options: SqliteOptions<TSchema>) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      if (options.file !== ":memory:") mkdirSync(dirname(options.file), { recursive: true });
      const client = await openClient(options.file);
      client.pragma("journal_mode = WAL");
      client.pragma("foreign_keys = ON");
      client.pragma("busy_timeout = 5000");
      const db: BetterSQLite3Database<TSchema> = drizzle({ client: client as unknown as Database.Database, schema: options.schema });
      migrate(db, { migrationsFolder: options.migrationsFolder });
      return { db, client };
    }),
    ({ client }) => Effect.sync(() => client.close()),
  ).pipe(Effect.map(({ db }) => db));
