import { join } from "node:path";
import { Effect, Layer } from "effect";
import { databaseChoice } from "../../../libs/db/database-config.ts";
import { OrchestratorDbLive } from "../db/orchestrator-db.ts";
import { OrchestratorPgDbLive } from "../db/orchestrator-pg-db.ts";
import { PostgresOrchestratorStoreLive } from "./postgres-store.ts";
import { SqliteOrchestratorStoreLive } from "./sqlite-store.ts";

/** The orchestrator's store: DATA_DIR/orchestrator.db, or the PostgreSQL DATABASE_URL names. */
export const orchestratorStoreLayer = (dataDir: string) =>
  Layer.unwrap(Effect.gen(function* () {
    const database = yield* databaseChoice;
    if (database.kind === "postgres") return PostgresOrchestratorStoreLive.pipe(Layer.provide(OrchestratorPgDbLive(database.url)));
    return SqliteOrchestratorStoreLive.pipe(Layer.provide(OrchestratorDbLive(join(dataDir, "orchestrator.db"))));
  }));
