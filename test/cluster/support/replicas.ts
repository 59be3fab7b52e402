import { ConfigProvider } from "effect";
import { signUserToken } from "../../../libs/auth/user-token.ts";
import { makeLogger } from "../../../libs/observability/logger.ts";
import { serveOrchestrator } from "../../../services/orchestrator/serve-orchestrator.ts";
import { InMemoryLogSink } from "../../support/in-memory-log-sink.ts";
import { testJwtSecret, testOrchestratorConfig } from "../../support/test-orchestrator.ts";

export interface Replica {
  readonly url: string;
  readonly shutdown: () => Promise<void>;
}

/**
 * An orchestrator replica on DATABASE_URL: the real service on port 0. Replicas of one test share
 * a data dir (the generations' files; a cluster would put them on shared storage) and one
 * preview port range, so the reservation table, not luck, keeps their ports apart.
 */
export const startReplica = async (
  dataDir: string,
  databaseUrl: string,
  overrides: Record<string, string> = {},
  /** Shared settings besides DATABASE_URL (NATS_URL), and the gateway's PUBLIC_URL. */
  options: { readonly env?: Record<string, string>; readonly publicUrl?: string } = {},
): Promise<Replica> => {
  const config = testOrchestratorConfig(dataDir, overrides, options.publicUrl);
  const service = await serveOrchestrator({
    logSink: InMemoryLogSink,
    configProvider: ConfigProvider.fromUnknown({ ...config, ...options.env, DATABASE_URL: databaseUrl }),
    logger: makeLogger("orchestrator", () => {}),
    port: 0,
  });
  return { url: `http://127.0.0.1:${service.server.port}`, shutdown: service.shutdown };
};

export const tokenFor = (userId: string) => signUserToken(testJwtSecret, userId);
