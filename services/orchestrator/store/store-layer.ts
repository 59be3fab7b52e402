import { join } from "node:path";
import { Effect, Layer, Option } from "effect";
import { natsUrl } from "../../../libs/cluster/nats-connection.ts";
import { databaseChoice } from "../../../libs/db/database-config.ts";
import { OrchestratorDbLive } from "../db/orchestrator-db.ts";
import { OrchestratorPgDbLive } from "../db/orchestrator-pg-db.ts";
import { PostgresOrchestratorStoreLive } from "./postgres-store.ts";
import { announcingRouteChanges } from "./route-announcing-store.ts";
import { SqliteOrchestratorStoreLive } from "./sqlite-store.ts";

/** The orchestrator's store: DATA_DIR/orchestrator.db, or the PostgreSQL DATABASE_URL names. */
export const orchestratorStoreLayer = (dataDir: string) =>
  Layer.unwrap(Effect.gen(function* () {
    const database = yield* databaseChoice;
    const store = database.kind === "postgres"
      ? PostgresOrchestratorStoreLive.pipe(Layer.provide(OrchestratorPgDbLive(database.url)))
      : SqliteOrchestratorStoreLive.pipe(Layer.provide(OrchestratorDbLive(join(dataDir, "orchestrator.db"))));
    return Option.isSome(yield* natsUrl) ? announcingRouteChanges(store) : store;
  }));
