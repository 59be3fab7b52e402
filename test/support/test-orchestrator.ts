import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { ConfigProvider, Effect } from "effect";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { CapturedLogs, type CapturedLine, InMemoryLogSink } from "./in-memory-log-sink.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { previewPortBlock } from "./port-blocks.ts";
import { serveOrchestrator } from "../../services/orchestrator/serve-orchestrator.ts";

export const testJwtSecret = "test-jwt-secret-0123456789abcdef";
export const testInternalToken = "test-internal-token-0123456789";

/** The settings every test orchestrator runs with: its own data and port block, quick sweeps, test secrets. */
export const testOrchestratorConfig = (dataDir: string, overrides: Record<string, string> = {}, publicUrl = "http://gateway.test") => {
  const ports = previewPortBlock();
  return {
    DATA_DIR: dataDir,
    JWT_SECRET: testJwtSecret,
    INTERNAL_TOKEN: testInternalToken,
    PUBLIC_URL: publicUrl,
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    ORCHESTRATOR: {
      PORT_RANGE_FROM: String(ports.from),
      PORT_RANGE_TO: String(ports.to),
      STOP_GRACE_MS: "3000",
      SWEEP_INTERVAL_MS: "200",
      STARTUP_TIMEOUT_SECONDS: "20",
      // The host runtime unless a test asks for the sandbox (test/sandbox/**).
      RUNTIME: "host",
      // Served on port 0: its port is not known here, so no other node is sent its launches.
      NODE_URL: "none",
      ...overrides,
    },
  };
};

export interface TestOrchestrator {
  readonly url: string;
  readonly dataDir: string;
  readonly token: (userId: string) => Promise<string>;
  readonly logs: (previewId: string) => ReadonlyArray<CapturedLine>;
  readonly statuses: (previewId: string) => ReadonlyArray<string>;
  /** Reads the orchestrator's real SQLite file, as an operator would. */
  readonly query: <T>(sql: string, ...params: unknown[]) => T[];
  readonly shutdown: () => Promise<void>;
  /** Shuts down and removes the data dir. */
  readonly dispose: () => Promise<void>;
}

export const startTestOrchestrator = async (
  overrides: Record<string, string> = {},
  options: {
    readonly dataDir?: string;
    /** The gateway's public URL (previews' origins follow it). */
    readonly publicUrl?: string;
    /** Settings outside ORCHESTRATOR_* (DATABASE_URL for a node of a cluster). */
    readonly env?: Record<string, string>;
  } = {},
): Promise<TestOrchestrator> => {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "orch-test-"));
  const configProvider = ConfigProvider.fromUnknown({ ...testOrchestratorConfig(dataDir, overrides, options.publicUrl), ...options.env });
  const service = await serveOrchestrator({
    logSink: InMemoryLogSink,
    configProvider,
    logger: makeLogger("orchestrator", () => {}),
    port: 0,
  });
  const captured = await service.runtime.runPromise(Effect.gen(function* () { return yield* CapturedLogs; }));
  const shutdown = service.shutdown;
  return {
    url: `http://127.0.0.1:${service.server.port}`,
    dataDir,
    token: (userId) => signUserToken(testJwtSecret, userId),
    logs: (previewId) => captured.read(previewId),
    statuses: (previewId) => captured.statuses(previewId),
    query: <T>(sql: string, ...params: unknown[]) => {
      const db = new DatabaseSync(join(dataDir, "orchestrator.db"), { readOnly: true });
      try {
        return db.prepare(sql).all(...(params as SQLInputValue[])) as T[];
      } finally {
        db.close();
      }
    },
    shutdown,
    dispose: async () => {
      await shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
