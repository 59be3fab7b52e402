import { fileURLToPath } from "node:url";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { Context, Layer } from "effect";
import { openPostgres } from "../../../libs/db/postgres.ts";
import * as schema from "./schema-pg.ts";

export type OrchestratorPgDatabase = PostgresJsDatabase<typeof schema>;

/** The orchestrator's tables on a shared PostgreSQL (DATABASE_URL=postgres://…). */
export class OrchestratorPgDb extends Context.Service<OrchestratorPgDb, OrchestratorPgDatabase>()("orchestrator/PgDb") {}

const migrationsFolder = fileURLToPath(new URL("./migrations-pg", import.meta.url));

export const OrchestratorPgDbLive = (url: string) =>
  Layer.effect(OrchestratorPgDb, openPostgres({ url, migrationsFolder, migrationsTable: "__orchestrator_migrations", schema }));
