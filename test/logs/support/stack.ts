import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import getPort from "get-port";
import { ConfigProvider, Effect, Layer } from "effect";
import { PlatformSecretsLive } from "../../../libs/auth/platform-secrets.ts";
import { signUserToken } from "../../../libs/auth/user-token.ts";
import { type FanoutStats, LogFanout } from "../../../libs/logs/contract.ts";
import { HttpLogSink, type HttpLogSinkOptions } from "../../../libs/logsink/http-sink.ts";
import { makeLogger } from "../../../libs/observability/logger.ts";
import { serveLogs } from "../../../services/logs/serve-logs.ts";
import { serveOrchestrator } from "../../../services/orchestrator/serve-orchestrator.ts";
import { testJwtSecret, testOrchestratorConfig } from "../../support/test-orchestrator.ts";

export interface LogsService {
  readonly url: string;
  readonly stats: () => Promise<FanoutStats>;
}

export interface LogsStack {
  /** The orchestrator's public origin (it serves /api/generations...). */
  readonly orchestratorUrl: string;
  /** The logs service's origin, fixed across restarts (the orchestrator's sink points at it). */
  readonly logsUrl: string;
  readonly token: (userId: string) => Promise<string>;
  readonly logs: () => LogsService;
  readonly startLogs: () => Promise<void>;
  readonly stopLogs: () => Promise<void>;
  /** Another logs service with the same settings on a port of its own (a replica; useful with logsEnv). */
  readonly startReplica: () => Promise<{ readonly url: string; readonly shutdown: () => Promise<void> }>;
  /** Reads a service's real SQLite file, as an operator would. */
  readonly query: <T>(db: "orchestrator" | "logs", sql: string, ...params: unknown[]) => T[];
  readonly dispose: () => Promise<void>;
}

/**
 * The split deployment in one test process: the real orchestrator with the HTTP log sink and the
 * real logs service, each on its own port, sharing a data dir as `npm start` does.
 */
export const startLogsStack = async (options: {
  readonly logs?: Record<string, string>;
  /** Shared settings for the logs service only, e.g. DATABASE_URL and NATS_URL (scale-out tests). */
  readonly logsEnv?: Record<string, string>;
  readonly orchestrator?: Record<string, string>;
  readonly sink?: Partial<HttpLogSinkOptions>;
  readonly startLogs?: boolean;
} = {}): Promise<LogsStack> => {
  const dataDir = mkdtempSync(join(tmpdir(), "logs-test-"));
  const logsPort = await getPort();
  const logsUrl = `http://127.0.0.1:${logsPort}`;
  const { ORCHESTRATOR: orchestratorSettings, ...shared } = testOrchestratorConfig(dataDir, options.orchestrator);
  const orchestrator = await serveOrchestrator({
    logSink: HttpLogSink({ url: logsUrl, retryMinMs: 20, retryMaxMs: 200, bufferLines: 100_000, ...options.sink }).pipe(Layer.provide(PlatformSecretsLive)),
    configProvider: ConfigProvider.fromUnknown({ ...shared, ORCHESTRATOR: orchestratorSettings }),
    logger: makeLogger("orchestrator", () => {}),
    port: 0,
  });
  const orchestratorUrl = `http://127.0.0.1:${orchestrator.server.port}`;
  const logsConfig = ConfigProvider.fromUnknown({
    ...shared,
    ...options.logsEnv,
    LOGS: { ORCHESTRATOR_URL: orchestratorUrl, ...options.logs },
  });
  let logs: Awaited<ReturnType<typeof serveLogs>> | undefined;
  const replicas: Array<Awaited<ReturnType<typeof serveLogs>>> = [];

  const stack: LogsStack = {
    orchestratorUrl,
    logsUrl,
    token: (userId) => signUserToken(testJwtSecret, userId),
    logs: () => {
      const running = logs;
      if (running === undefined) throw new Error("the logs service is not running");
      return {
        url: logsUrl,
        stats: () => running.runtime.runPromise(Effect.gen(function* () { return yield* (yield* LogFanout).stats; })),
      };
    },
    startLogs: async () => {
      logs = await serveLogs({ configProvider: logsConfig, logger: makeLogger("logs", () => {}), port: logsPort });
    },
    startReplica: async () => {
      const replica = await serveLogs({ configProvider: logsConfig, logger: makeLogger("logs", () => {}), port: 0 });
      replicas.push(replica);
      return { url: `http://127.0.0.1:${replica.server.port}`, shutdown: replica.shutdown };
    },
    stopLogs: async () => {
      await logs?.shutdown();
      logs = undefined;
    },
    query: <T>(db: "orchestrator" | "logs", sql: string, ...params: unknown[]) => {
      const handle = new DatabaseSync(join(dataDir, `${db}.db`), { readOnly: true });
      try {
        return handle.prepare(sql).all(...(params as SQLInputValue[])) as T[];
      } finally {
        handle.close();
      }
    },
    dispose: async () => {
      await orchestrator.shutdown();
      await stack.stopLogs();
      await Promise.all(replicas.map((r) => r.shutdown()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (options.startLogs !== false) await stack.startLogs();
  return stack;
};
