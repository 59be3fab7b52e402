import { join, resolve } from "node:path";
import { Effect, Layer } from "effect";
import { PlatformSecretsLive } from "../../libs/auth/platform-secrets.ts";
import { platformConfig } from "../../libs/config/platform.ts";
import type { LogSink } from "../../libs/logsink/contract.ts";
import { HostRuntimeLive } from "../../libs/runtime/host-runtime.ts";
import { orchestratorConfig } from "./config.ts";
import { OrchestratorDbLive } from "./db/orchestrator-db.ts";
import { GenerationStoreLive } from "./generation-store.ts";
import { PortReservationsLive } from "./port-reservations.ts";
import { PreviewManagerLive } from "./preview-manager.ts";

/**
 * The orchestrator's services, wired from its config. The log sink is a parameter: in-process
 * for tests and all-in-one runs, an HTTP client of the logs service when split.
 */
export const orchestratorLayer = <ROut, E>(logSink: Layer.Layer<ROut | LogSink, E>) =>
  Layer.unwrap(Effect.gen(function* () {
    const config = yield* orchestratorConfig;
    const platform = yield* platformConfig;
    const dataDir = resolve(platform.dataDir);
    const db = OrchestratorDbLive(join(dataDir, "orchestrator.db"));
    const generations = GenerationStoreLive({
      root: join(dataDir, "generations"),
      limits: { maxFiles: config.maxFiles, maxFileBytes: config.maxFileBytes, maxTotalBytes: config.maxTotalBytes },
    }).pipe(Layer.provide(db));
    const runtime = HostRuntimeLive({
      python: config.python,
      limits: { memoryMb: config.memoryMb, cpuSeconds: config.cpuSeconds, maxProcesses: config.maxProcesses, fileSizeMb: config.fileSizeMb },
      stopGraceMs: config.stopGraceMs,
    }).pipe(Layer.provide(PortReservationsLive({ from: config.portRangeFrom, to: config.portRangeTo }).pipe(Layer.provide(db))));
    const previews = PreviewManagerLive({
      publicUrl: platform.publicUrl.replace(/\/+$/, ""),
      previewsRoot: join(dataDir, "previews"),
      startupTimeoutSeconds: config.startupTimeoutSeconds,
      ttlSeconds: config.ttlSeconds,
      idleSeconds: config.idleSeconds,
      maxExtensions: config.maxExtensions,
      extendSeconds: config.extendSeconds,
      maxInstancesPerUser: config.maxInstancesPerUser,
      stopGraceMs: config.stopGraceMs,
      sweepIntervalMs: config.sweepIntervalMs,
    }).pipe(Layer.provide(Layer.mergeAll(db, generations, runtime, logSink)));
    return Layer.mergeAll(previews, generations, logSink, PlatformSecretsLive);
  }));
