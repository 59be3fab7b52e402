import { join, resolve } from "node:path";
import { Effect, Layer, Option } from "effect";
import { PlatformSecretsLive } from "../../libs/auth/platform-secrets.ts";
import { platformConfig } from "../../libs/config/platform.ts";
import { natsUrl } from "../../libs/cluster/nats-connection.ts";
import { databaseChoice } from "../../libs/db/database-config.ts";
import type { LogFanout } from "../../libs/logs/contract.ts";
import type { PreviewDirectory } from "../../libs/previews/directory.ts";
import { HttpPreviewDirectoryLive } from "../../libs/previews/http-directory.ts";
import { SubscriberActivityLive } from "./activity.ts";
import { logsConfig } from "./config.ts";
import { LogsDbLive } from "./db/logs-db.ts";
import { LogFanoutLive } from "./fanout.ts";
import { NatsLogFanoutLive } from "./nats-fanout.ts";
import { LogIngestLive } from "./ingest.ts";
import { LogsPgDbLive } from "./db/logs-pg-db.ts";
import { LogStoreLive } from "./log-store.ts";
import { LogStorePgLive } from "./log-store-pg.ts";

/** Storage, fan-out and ingest: all the orchestrator's in-process sink needs. */
export const logsCoreLayer = Layer.unwrap(Effect.gen(function* () {
  const config = yield* logsConfig;
  const platform = yield* platformConfig;
  const limits = { maxLines: config.retentionLines, maxBytes: config.retentionBytes };
  const database = yield* databaseChoice;
  const store = database.kind === "postgres"
    ? LogStorePgLive(limits).pipe(Layer.provide(LogsPgDbLive(database.url)))
    : LogStoreLive(limits).pipe(Layer.provide(LogsDbLive(join(resolve(platform.dataDir), "logs.db"))));
  const local = LogFanoutLive({ subscriberBuffer: config.subscriberBuffer, pingIntervalMs: config.pingSeconds * 1000, pacing: config.fanoutPacing });
  // NATS_URL: lines stored by any replica reach this one's subscribers; unset: in process only.
  const fanout = Option.match(yield* natsUrl, { onNone: () => local, onSome: (url) => NatsLogFanoutLive(url).pipe(Layer.provide(local)) });
  const core = Layer.mergeAll(store, fanout);
  return Layer.mergeAll(core, LogIngestLive({ linesPerSecond: config.rateLines, burstLines: config.burstLines }).pipe(Layer.provide(core)));
}));

/** What the routes add to the core: who owns what (the orchestrator's directory) and subscriber activity. */
export const logsEdgeLayer = <E, R>(core: Layer.Layer<LogFanout, E, R>, directory: Layer.Layer<PreviewDirectory, E, R>) =>
  Layer.unwrap(Effect.gen(function* () {
    const config = yield* logsConfig;
    return Layer.mergeAll(directory, SubscriberActivityLive(config.touchSeconds * 1000).pipe(Layer.provide(Layer.mergeAll(core, directory))));
  }));

/** The logs service's services, wired from its config; the orchestrator is reached over HTTP. */
export const logsLayer = Layer.unwrap(Effect.gen(function* () {
  const config = yield* logsConfig;
  const directory = HttpPreviewDirectoryLive(config.orchestratorUrl).pipe(Layer.provide(PlatformSecretsLive));
  return Layer.mergeAll(logsCoreLayer, logsEdgeLayer(logsCoreLayer, directory), PlatformSecretsLive);
}));
