import type { Database } from "better-sqlite3";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { BetterSQLiteSession } from "drizzle-orm/better-sqlite3/session";
import { createTableRelationsHelpers, extractTablesRelationalConfig } from "drizzle-orm/relations";
import { BaseSQLiteDatabase, SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { SqliteClient } from "./node-sqlite-client.ts";

/**
 * drizzle's better-sqlite3 database over any client with better-sqlite3's synchronous shape (here
 * node:sqlite behind nodeSqliteClient). drizzle 0.45 has no node:sqlite driver, and its
 * better-sqlite3 `drizzle()` module imports the better-sqlite3 package at load (only to open
 * connection strings), so this builds the same database from drizzle's exported session class —
 * what that `drizzle({ client, schema })` does — and the native package need not be installed.
 */
export const drizzleOverClient = <TSchema extends Record<string, unknown>>(
  client: SqliteClient,
  fullSchema: TSchema,
): BetterSQLite3Database<TSchema> => {
  const dialect = new SQLiteSyncDialect();
  const tables = extractTablesRelationalConfig(fullSchema, createTableRelationsHelpers);
  const schema = { fullSchema, schema: tables.tables, tableNamesMap: tables.tableNamesMap };
  const session = new BetterSQLiteSession(client as unknown as Database, dialect, schema);
  const db = new BaseSQLiteDatabase("sync", dialect, session, schema);
  return Object.assign(db, { $client: client }) as unknown as BetterSQLite3Database<TSchema>;
};
