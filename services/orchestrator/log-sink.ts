import { join, resolve } from "node:path";
import { Effect, Layer } from "effect";
import { PlatformSecretsLive } from "../../libs/auth/platform-secrets.ts";
import { platformConfig } from "../../libs/config/platform.ts";
import { ledgerDirIn } from "../../libs/logs/delivery-ledger.ts";
import { HttpLogSink } from "../../libs/logsink/http-sink.ts";
import { logSinkOptions, orchestratorConfig } from "./config.ts";

/**
 * The split deployment's log sink, from config: batches to the logs service at
 * ORCHESTRATOR_LOGS_URL (default the local logs service). There is no in-memory fallback: an
 * unreachable logs service costs bounded, counted lines (the outbox), never unbounded memory.
 */
export const orchestratorLogSink = Layer.unwrap(Effect.gen(function* () {
  const config = yield* orchestratorConfig;
  const platform = yield* platformConfig;
  // Beside the previews: a restarted orchestrator reads them to say what a crash lost.
  const ledgerDir = ledgerDirIn(join(resolve(platform.dataDir), "previews"));
  return HttpLogSink({ url: config.logsUrl, ...logSinkOptions(config), ledgerDir }).pipe(Layer.provide(PlatformSecretsLive));
}));
