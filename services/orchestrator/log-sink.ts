import { Effect, Layer } from "effect";
import { PlatformSecretsLive } from "../../libs/auth/platform-secrets.ts";
import { HttpLogSink } from "../../libs/logsink/http-sink.ts";
import { logSinkOptions, orchestratorConfig } from "./config.ts";

/**
 * The split deployment's log sink, from config: batches to the logs service at
 * ORCHESTRATOR_LOGS_URL (default the local logs service). There is no in-memory fallback: an
 * unreachable logs service costs bounded, counted lines (the outbox), never unbounded memory.
 */
export const orchestratorLogSink = Layer.unwrap(Effect.gen(function* () {
  const config = yield* orchestratorConfig;
  return HttpLogSink({ url: config.logsUrl, ...logSinkOptions(config) }).pipe(Layer.provide(PlatformSecretsLive));
}));
