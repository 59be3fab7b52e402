import { join, resolve } from "node:path";
import { Effect, Layer } from "effect";
import { PlatformSecretsLive } from "../../libs/auth/platform-secrets.ts";
import { platformConfig } from "../../libs/config/platform.ts";
import { HttpPreviewDirectoryLive } from "../../libs/previews/http-directory.ts";
import { SubscriberActivityLive } from "./activity.ts";
import { logsConfig } from "./config.ts";
import { LogsDbLive } from "./db/logs-db.ts";
import { LogFanoutLive } from "./fanout.ts";
import { LogIngestLive } from "./ingest.ts";
import { LogStoreLive } from "./log-store.ts";

/** The logs service's services, wired from its config; the orchestrator is reached over HTTP. */
export const logsLayer = Layer.unwrap(Effect.gen(function* () {
  const config = yield* logsConfig;
  const platform = yield* platformConfig;
  const store = LogStoreLive({ maxLines: config.retentionLines, maxBytes: config.retentionBytes })
    .pipe(Layer.provide(LogsDbLive(join(resolve(platform.dataDir), "logs.db"))));
  const fanout = LogFanoutLive({ subscriberBuffer: config.subscriberBuffer, pingIntervalMs: config.pingSeconds * 1000, pacing: config.fanoutPacing });
  const directory = HttpPreviewDirectoryLive(config.orchestratorUrl).pipe(Layer.provide(PlatformSecretsLive));
  const core = Layer.mergeAll(store, fanout, directory, PlatformSecretsLive);
  return Layer.mergeAll(
    core,
    LogIngestLive.pipe(Layer.provide(core)),
    SubscriberActivityLive(config.touchSeconds * 1000).pipe(Layer.provide(core)),
  );
}));
