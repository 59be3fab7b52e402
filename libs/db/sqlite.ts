import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { Effect } from "effect";
import { drizzleOverClient } from "./drizzle-sync-client.ts";
import { nodeSqliteClient } from "./node-sqlite-client.ts";

export interface SqliteOptions<TSchema extends Record<string, unknown>> {
  readonly file: string;
  readonly migrationsFolder: string;
  readonly schema: TSchema;
}

/**
 * Opens a service's SQLite file with the runtime's built-in node:sqlite (Node ≥ 22 and Deno alike:
 * one driver, nothing native to compile), in WAL mode (synchronous NORMAL) with foreign keys and a busy timeout for a
 * second process on the same file, applies its drizzle migrations, and closes it with the scope —
 * a clean close is what removes the -wal/-shm files.
 */
export const openSqlite = <TSchema extends Record<string, unknown>>(options: SqliteOptions<TSchema>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      if (options.file !== ":memory:") mkdirSync(dirname(options.file), { recursive: true });
      const client = nodeSqliteClient(new DatabaseSync(options.file));
      client.pragma("journal_mode = WAL");
      // No fsync per commit (only at checkpoints): a commit survives a killed process, as a service
      // must, and a power loss can cost only the last ones, never the file. The calls are
      // synchronous, so an fsync per commit stalled every request on the same event loop.
      client.pragma("synchronous = NORMAL");
      client.pragma("foreign_keys = ON");
      client.pragma("busy_timeout = 5000");
      const db: BetterSQLite3Database<TSchema> = drizzleOverClient(client, options.schema);
      migrate(db, { migrationsFolder: options.migrationsFolder });
      return { db, client };
    }),
    ({ client }) => Effect.sync(() => client.close()),
  ).pipe(Effect.map(({ db }) => db));
