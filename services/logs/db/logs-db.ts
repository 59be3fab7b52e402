import { fileURLToPath } from "node:url";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { Context, Layer } from "effect";
import { openSqlite } from "../../../libs/db/sqlite.ts";
import * as schema from "./schema.ts";

export type LogsDatabase = BetterSQLite3Database<typeof schema>;
export type LogsTx = Parameters<Parameters<LogsDatabase["transaction"]>[0]>[0];

export class LogsDb extends Context.Service<LogsDb, LogsDatabase>()("logs/Db") {}

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

export const LogsDbLive = (file: string) => Layer.effect(LogsDb, openSqlite({ file, migrationsFolder, schema }));
