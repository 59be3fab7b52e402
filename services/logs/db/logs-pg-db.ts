import { fileURLToPath } from "node:url";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { Context, Layer } from "effect";
import { openPostgres } from "../../../libs/db/postgres.ts";
import * as schema from "./schema-pg.ts";

export type LogsPgDatabase = PostgresJsDatabase<typeof schema>;

/** The logs service's tables on a shared PostgreSQL (DATABASE_URL=postgres://…). */
export class LogsPgDb extends Context.Service<LogsPgDb, LogsPgDatabase>()("logs/PgDb") {}

const migrationsFolder = fileURLToPath(new URL("./migrations-pg", import.meta.url));

export const LogsPgDbLive = (url: string) =>
  Layer.effect(LogsPgDb, openPostgres({ url, migrationsFolder, migrationsTable: "__logs_migrations", schema }));
