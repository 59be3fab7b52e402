import { fileURLToPath } from "node:url";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { Context, Layer } from "effect";
import { openSqlite } from "../../../libs/db/sqlite.ts";
import * as schema from "./schema.ts";

export type OrchestratorDatabase = BetterSQLite3Database<typeof schema>;

export class OrchestratorDb extends Context.Service<OrchestratorDb, OrchestratorDatabase>()("orchestrator/Db") {}

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

export const OrchestratorDbLive = (file: string) =>
  Layer.effect(OrchestratorDb, openSqlite({ file, migrationsFolder, schema }));
