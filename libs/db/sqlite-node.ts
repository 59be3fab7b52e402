import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { Effect } from "effect";

export interface SqliteOptions<TSchema extends Record<string, unknown>> {
  readonly file: string;
  readonly migrationsFolder: string;
  readonly schema: TSchema;
}

/**
 * Opens a service's SQLite file (WAL, foreign keys, a busy timeout for a second process on the
 * same file), applies its drizzle migrations, and closes it with the scope — a clean close is
 * what removes the -wal/-shm files.
 */
export const openSqlite = <TSchema extends Record<string, unknown>>(options: SqliteOptions<TSchema>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      if (options.file !== ":memory:") mkdirSync(dirname(options.file), { recursive: true });
      const client = new Database(options.file);
      client.pragma("journal_mode = WAL");
      client.pragma("foreign_keys = ON");
      client.pragma("busy_timeout = 5000");
      const db: BetterSQLite3Database<TSchema> = drizzle({ client, schema: options.schema });
      migrate(db, { migrationsFolder: options.migrationsFolder });
      return { db, client };
    }),
    ({ client }) => Effect.sync(() => client.close()),
  ).pipe(Effect.map(({ db }) => db));
