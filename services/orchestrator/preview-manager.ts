import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Duration, Effect, Layer, Schedule, type Scope } from "effect";
import type { Origins } from "../../libs/config/origins.ts";
import { Generations } from "../../libs/generations/contract.ts";
import { InvalidRequest } from "../../libs/http/request-errors.ts";
import { newId } from "../../libs/ids/ids.ts";
import { LogSink } from "../../libs/logsink/contract.ts";
import { type ConfigView, Previews } from "../../libs/previews/contract.ts";
import {
  ExtensionLimitReached, LaunchFailed, PreviewNotFound, PreviewNotRunning, ReloadFailed,
} from "../../libs/previews/errors.ts";
import { PreviewRuntime, type Upstream } from "../../libs/runtime/contract.ts";
import { formatEntry, parseEntry } from "../../libs/runtime/entry.ts";
import { EntryNotFound, RuntimeUnavailable } from "../../libs/runtime/errors.ts";
import { readBootReport } from "../../libs/runtime/boot/boot-report.ts";
import { validateLaunchEnv } from "../../libs/previews/launch-env.ts";
import { OrchestratorStore } from "./store/contract.ts";
import { liveStatuses } from "./db/schema.ts";
import { ledgerDirIn } from "../../libs/logs/delivery-ledger.ts";
import { makeSupervision, type StopReason, type Supervision } from "./preview-supervisor.ts";
import type { PreviewRow } from "./preview-rows.ts";
import { failureOf, launchView, statusView } from "./preview-views.ts";
import { reconcileOnStart } from "./reconcile.ts";
import { RunnerNode } from "./runner-node.ts";

export interface PreviewManagerOptions {
  /** The platform's origin and each preview's (baseUrl, previewUrl). */
  readonly origins: Origins;
  readonly previewsRoot: string;
  readonly startupTimeoutSeconds: number;
  readonly ttlSeconds: number;
  readonly idleSeconds: number;
  readonly maxExtensions: number;
  readonly extendSeconds: number;
  readonly maxInstancesPerUser: number;
  readonly stopGraceMs: number;
  readonly sweepIntervalMs: number;
}

export const hashPreviewToken = (token: string): string => createHash("sha256").update(token).digest("hex");

const isLive = (row: PreviewRow) => (liveStatuses as ReadonlyArray<string>).includes(row.status);

const upstreamOf = (row: PreviewRow): Upstream | undefined =>
  row.port !== null ? { kind: "tcp", host: "127.0.0.1", port: row.port } : row.socketPath !== null ? { kind: "unix", path: row.socketPath } : undefined;

const readText = (dir: string) => (path: string): string | undefined => {
  try {
    return readFileSync(join(dir, path), "utf8");
  } catch {
    return undefined;
  }
};

export const PreviewManagerLive = (options: PreviewManagerOptions) =>
  Layer.effect(
    Previews,
    Effect.gen(function* () {
      const store = yield* OrchestratorStore;
      const generations = yield* Generations;
      const runtime = yield* PreviewRuntime;
      const sink = yield* LogSink;
      const node = yield* RunnerNode;
      const nodeId = node.identity.id;
      const scope: Scope.Scope = yield* Effect.scope;
      const rows = store.previews;
      const supervised = new Map<string, Supervision>();
      // Where a live preview's node answers, for a gateway on another machine (libs/proxy/node-relay.ts).
      const nodeAt = (id: string) =>
        id === nodeId
          ? Effect.succeed({ id, url: node.identity.url })
          : store.nodes.all().pipe(Effect.map((nodes) => ({ id, url: nodes.find((n) => n.id === id)?.url ?? "" })));

      const supervise = (supervision: Supervision, id: string) => {
        supervised.set(id, supervision);
        return Effect.forkIn(supervision.run.pipe(Effect.ensuring(Effect.sync(() => supervised.delete(id)))), scope);
      };
      // Previews that outlived the previous orchestrator go on under this one.
      for (const row of yield* reconcileOnStart(store, sink, nodeId, options.previewsRoot)) {
        const upstream = upstreamOf(row);
        // reconcileOnStart returns only rows that have all three.
        if (upstream === undefined || row.pid === null || row.processStartTicks === null) continue;
        const [module = "", attribute = "app"] = row.entry.split(":");
        const supervision = yield* makeSupervision(
          { rows, runtime, sink, startupTimeoutMs: options.startupTimeoutSeconds * 1000, ledgerDir: ledgerDirIn(options.previewsRoot) },
          {
            previewId: row.id, sourceDir: "", workDir: row.workDir, entry: { file: "", module, attribute }, env: {},
            adopt: { pid: row.pid, startTicks: row.processStartTicks, upstream, wasRunning: row.status === "running" },
          },
        );
        yield* supervise(supervision, row.id);
      }

      /** Ends a live preview; without a supervisor (it never got one) the row alone is ended. */
      const endPreview = (row: PreviewRow, reason: StopReason) => {
        const supervision = supervised.get(row.id);
        return supervision !== undefined
          ? supervision.stop(reason)
          : rows.finishIfLive(row.id, { status: reason.status, stoppedAt: Date.now() }).pipe(Effect.asVoid);
      };

      const ownedLatest = (userId: string, generationId: string) =>
        Effect.gen(function* () {
          yield* generations.locate(userId, generationId);
          const row = yield* rows.latestOfGeneration(generationId);
          if (row === undefined) return yield* Effect.fail(new PreviewNotFound({ generationId }));
          return row;
        });

      const sweepOnce = Effect.gen(function* () {
        const now = Date.now();
        const before = new Set(supervised.keys());
        const mine = yield* rows.liveOn(nodeId);
        // Ended meanwhile by another node (it took this one for lost): its process must not run on.
        // Only those supervised before the read (a launch admitted since is not in it), and checked again.
        const stillLive = new Set(mine.map((r) => r.id));
        for (const id of before) {
          const supervision = supervised.get(id);
          if (supervision === undefined || stillLive.has(id)) continue;
          const row = yield* rows.byId(id);
          if (row !== undefined && !isLive(row)) {
            yield* Effect.forkIn(supervision.stop({ status: "stopped", message: "The preview had been ended by another node" }), scope);
          }
        }
        for (const row of mine) {
          if (row.status !== "running") continue;
          if (row.expiresAt <= now) {
            yield* Effect.forkIn(endPreview(row, { status: "expired", message: "The preview reached its time limit and was stopped" }), scope);
          } else if (row.lastActivityAt + options.idleSeconds * 1000 <= now) {
            yield* Effect.forkIn(endPreview(row, { status: "expired", message: `The preview was idle for ${options.idleSeconds} s and was stopped` }), scope);
          } else {
            const upstream = upstreamOf(row);
            if (upstream === undefined) continue;
            const healthy = yield* runtime.isAnswering(upstream);
            yield* rows.update(row.id, { lastHealthCheck: Date.now(), healthStatus: healthy ? "healthy" : "unhealthy" });
          }
        }
      });
      yield* Effect.forkIn(
        // A sweep that fails (the database unreachable for a moment) is skipped; the next one runs.
        sweepOnce.pipe(Effect.catchDefect(() => Effect.void), Effect.repeat(Schedule.spaced(Duration.millis(options.sweepIntervalMs)))),
        scope,
      );

      const configView: Omit<ConfigView, "warmPool"> = {
        previewTimeout: options.startupTimeoutSeconds,
        maxInstances: options.maxInstancesPerUser,
        sessionExpiry: options.ttlSeconds,
        autoStopInactiveAfter: options.idleSeconds,
        maxExtensions: options.maxExtensions,
        runtime: runtime.name,
        limits: {
          memoryMb: runtime.limits.memoryMb, cpuSeconds: runtime.limits.cpuSeconds, maxProcesses: runtime.limits.maxProcesses,
          cpuPercent: runtime.limits.cpuPercent,
        },
        enforced: runtime.enforced,
      };

      node.onDrain(Effect.suspend(() =>
        Effect.forEach([...supervised.values()], (s) => s.stop({ status: "stopped", message: `The node ${nodeId} running it was drained` }), { concurrency: "unbounded", discard: true })));

      return Previews.of({
        launch: (userId, generationId, body) =>
          Effect.gen(function* () {
            if (node.draining()) return yield* Effect.fail(new RuntimeUnavailable({ message: `The node ${nodeId} is draining: it takes no more launches` }));
            const generation = yield* generations.locate(userId, generationId);
            const entry = body.entry === undefined ? generation.entry : parseEntry(body.entry, readText(generation.dir));
            if (entry instanceof InvalidRequest) return yield* Effect.fail(entry);
            const givenEnv = body.env === undefined ? undefined : validateLaunchEnv(body.env);
            if (givenEnv instanceof InvalidRequest) return yield* Effect.fail(givenEnv);
            if (entry === undefined) {
              return yield* Effect.fail(new EntryNotFound({ message: "No FastAPI app found: no main.py, no app/main.py and no module that calls FastAPI(); pass \"entry\"" }));
            }
            const ttlSeconds = body.ttlSeconds ?? options.ttlSeconds;
            if (ttlSeconds > options.ttlSeconds) {
              return yield* Effect.fail(new InvalidRequest({
                message: `ttlSeconds is over the ${options.ttlSeconds} s maximum`,
                details: { field: "ttlSeconds", max: options.ttlSeconds },
              }));
            }
            const id = newId();
            const previewToken = randomBytes(24).toString("base64url");
            const now = Date.now();
            const admitted = yield* rows.admit({
              id,
              generationId,
              userId,
              status: "launching",
              runtime: runtime.name,
              entry: formatEntry(entry),
              workDir: join(options.previewsRoot, id),
              previewTokenHash: hashPreviewToken(previewToken),
              createdAt: now,
              expiresAt: now + ttlSeconds * 1000,
              lastActivityAt: now,
              node: nodeId,
            }, options.maxInstancesPerUser);
            if (!("id" in admitted)) return yield* Effect.fail(admitted);

            // Given → kept for the generation's later launches; not given → the last one given.
            if (givenEnv !== undefined) yield* store.environments.save(generationId, givenEnv);
            const launchEnv = givenEnv ?? (yield* store.environments.load(generationId));
            const supervision = yield* makeSupervision(
              { rows, runtime, sink, startupTimeoutMs: options.startupTimeoutSeconds * 1000, ledgerDir: ledgerDirIn(options.previewsRoot) },
              { previewId: id, sourceDir: generation.dir, workDir: admitted.workDir, entry, env: launchEnv },
            );
            yield* supervise(supervision, id);
            if (body.wait !== true) return launchView(options.origins, admitted, previewToken);

            const settled = yield* supervision.settled;
            const row = (yield* rows.byId(id)) ?? admitted;
            if (settled !== "running") {
              return yield* Effect.fail(new LaunchFailed({
                previewInstanceId: id,
                exitCode: row.exitCode,
                errorMessage: row.errorMessage ?? `The preview ended as ${settled}`,
                failure: failureOf(row),
              }));
            }
            return launchView(options.origins, row, previewToken);
          }),

        status: (userId, generationId) =>
          ownedLatest(userId, generationId).pipe(Effect.map((row) => statusView(options.origins, row, Date.now()))),

        stop: (userId, generationId) =>
          Effect.gen(function* () {
            const row = yield* ownedLatest(userId, generationId);
            if (!isLive(row)) {
              return { status: "stopped" as const, message: `The preview had already ended (${row.status})`, stoppedAt: new Date(row.stoppedAt ?? Date.now()).toISOString() };
            }
            yield* endPreview(row, { status: "stopped", message: "Stopped by the user" });
            const ended = (yield* rows.byId(row.id)) ?? row;
            return { status: "stopped" as const, message: "The preview was stopped", stoppedAt: new Date(ended.stoppedAt ?? Date.now()).toISOString() };
          }),

        extend: (userId, generationId, body) =>
          Effect.gen(function* () {
            const row = yield* ownedLatest(userId, generationId);
            if (!isLive(row)) return yield* Effect.fail(new PreviewNotRunning({ previewInstanceId: row.id, status: row.status }));
            if (row.extensions >= options.maxExtensions) return yield* Effect.fail(new ExtensionLimitReached({ maxExtensions: options.maxExtensions }));
            const seconds = body.seconds ?? options.extendSeconds;
            if (seconds > options.extendSeconds) {
              return yield* Effect.fail(new InvalidRequest({
                message: `seconds is over the ${options.extendSeconds} s an extension may add`,
                details: { field: "seconds", max: options.extendSeconds },
              }));
            }
            const expiresAt = Math.max(row.expiresAt, Date.now()) + seconds * 1000;
            yield* rows.update(row.id, { expiresAt, extensions: row.extensions + 1 });
            return { expiresAt: new Date(expiresAt).toISOString(), extensionsRemaining: options.maxExtensions - row.extensions - 1 };
          }),

        reload: (userId, generationId, body) =>
          Effect.gen(function* () {
            const row = yield* ownedLatest(userId, generationId);
            const supervision = supervised.get(row.id);
            if (row.status !== "running" || supervision === undefined) {
              return yield* Effect.fail(new PreviewNotRunning({ previewInstanceId: row.id, status: row.status }));
            }
            const running = yield* generations.locate(userId, generationId);
            const staged = yield* generations.stage(userId, generationId, body);
            const n = staged.changed.length;
            const result = yield* supervision.reload({ newDir: staged.dir, oldDir: running.dir }, `${n} file${n === 1 ? "" : "s"} changed`).pipe(
              Effect.onExit((exit) => (exit._tag === "Success" && exit.value.ok ? staged.commit : staged.discard)),
            );
            if (!result.ok) {
              return yield* Effect.fail(new ReloadFailed({ previewInstanceId: row.id, errorMessage: result.message, ...(result.failure === undefined ? {} : { failure: result.failure }) }));
            }
            return { previewInstanceId: row.id, status: "running" as const, reloadMs: result.ms, changedFiles: staged.changed };
          }),

        config: Effect.sync(() => ({ ...configView, warmPool: { size: runtime.warmPool.size, ready: runtime.warmPool.ready() } })),

        route: (previewInstanceId) =>
          Effect.gen(function* () {
            const row = yield* rows.byId(previewInstanceId);
            if (row === undefined) return yield* Effect.fail(new PreviewNotFound({ previewInstanceId }));
            const live = isLive(row);
            return {
              previewInstanceId: row.id,
              generationId: row.generationId,
              userId: row.userId,
              status: row.status,
              upstream: live ? upstreamOf(row) ?? null : null,
              previewTokenHash: row.previewTokenHash,
              node: live && row.node !== null ? yield* nodeAt(row.node) : null,
            };
          }),

        bootReport: (previewInstanceId) =>
          rows.byId(previewInstanceId).pipe(Effect.map((row) => (row === undefined || !isLive(row) ? undefined : readBootReport(row.workDir)))),

        touch: (previewInstanceId) =>
          Effect.gen(function* () {
            const row = yield* rows.byId(previewInstanceId);
            if (row === undefined || !isLive(row)) return false;
            yield* rows.update(row.id, { lastActivityAt: Date.now() });
            return true;
          }),
      });
    }),
  );
