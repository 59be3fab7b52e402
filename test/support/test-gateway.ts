import { ConfigProvider } from "effect";
import getPort from "get-port";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveGateway } from "../../services/gateway/serve-gateway.ts";
import { callApi } from "./api.ts";
import { upload } from "./previews.ts";
import { startTestOrchestrator, testInternalToken, testJwtSecret, type TestOrchestrator } from "./test-orchestrator.ts";

export interface TestPlatform {
  readonly gateway: string;
  readonly orchestrator: TestOrchestrator;
  /** Uploads `files` as `userId`, launches them through the gateway and waits until running. */
  readonly runPreview: (userId: string, files: Record<string, string>) => Promise<{ token: string; generationId: string; previewId: string; previewToken: string; /** The preview's own origin (baseUrl); reach it with originFetch. */ origin: string }>;
  readonly dispose: () => Promise<void>;
}

/** A real orchestrator on port 0 and a real gateway in front of it, on a free port that PUBLIC_URL names. */
export const startTestPlatform = async (
  gatewayOverrides: Record<string, string> = {},
  orchestratorOverrides: Record<string, string> = {},
  /** Settings outside GATEWAY_*, for the gateway: PLATFORM_HOSTS, PREVIEW_ORIGIN. */
  sharedOverrides: Record<string, string> = {},
): Promise<TestPlatform> => {
  const port = await getPort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const orchestrator = await startTestOrchestrator(orchestratorOverrides, { publicUrl });
  // A gateway that refuses its settings leaves no orchestrator behind.
  const gatewayService = await (async () => {
    try {
      return await serveGateway({
        configProvider: ConfigProvider.fromUnknown({
          PUBLIC_URL: publicUrl,
          ...sharedOverrides,
          DATA_DIR: orchestrator.dataDir,
          JWT_SECRET: testJwtSecret,
          INTERNAL_TOKEN: testInternalToken,
          GATEWAY: { ORCHESTRATOR_URL: orchestrator.url, LOGS_URL: "http://127.0.0.1:9", ACTIVITY_FLUSH_MS: "100", ...gatewayOverrides },
        }),
        logger: makeLogger("gateway", () => {}),
        port,
      });
    } catch (e) {
      await orchestrator.dispose();
      throw e;
    }
  })();
  const gateway = `http://127.0.0.1:${gatewayService.server.port}`;
  return {
    gateway,
    orchestrator,
    runPreview: async (userId, files) => {
      const token = await orchestrator.token(userId);
      const generationId = await upload({ ...orchestrator, url: gateway }, token, files);
      const launched = await callApi(gateway, "POST", `/api/generations/${generationId}/preview/launch`, { token, json: { wait: true } });
      if (launched.status !== 200) throw new Error(`launch failed: ${JSON.stringify(launched.body)}`);
      return { token, generationId, previewId: launched.body.previewInstanceId as string, previewToken: launched.body.previewToken as string, origin: launched.body.baseUrl as string };
    },
    dispose: async () => {
      await gatewayService.shutdown();
      await orchestrator.dispose();
    },
  };
};
