import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigProvider } from "effect";
import { readProject } from "../../libs/extractor/read-project.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveExtractor } from "../../services/extractor/serve-extractor.ts";
import { testInternalToken, testJwtSecret } from "../support/test-orchestrator.ts";

export const ownFixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));
export const extractorFixture = (name: string): string => fileURLToPath(new URL(`../extractor/fixtures/${name}/`, import.meta.url));

/** A project on disk as the upload body carries it: path → UTF-8 text. */
export const filesOf = (dir: string): Record<string, string> => {
  const files: Record<string, string> = {};
  for (const [path, content] of readProject(dir).files) files[path] = Buffer.from(content).toString("utf8");
  return files;
};

export interface TestExtractor {
  readonly url: string;
  /** How many extraction requests the service has answered, read from its own access log. */
  readonly extractions: () => number;
  readonly dispose: () => Promise<void>;
}

/** The real extractor service on port 0, sharing the test orchestrator's internal token. */
export const startTestExtractor = async (overrides: Record<string, string> = {}, port = 0): Promise<TestExtractor> => {
  const dataDir = mkdtempSync(join(tmpdir(), "extractor-test-"));
  const lines: Array<{ msg?: string; path?: string }> = [];
  const service = await serveExtractor({
    configProvider: ConfigProvider.fromUnknown({
      DATA_DIR: dataDir,
      JWT_SECRET: testJwtSecret,
      INTERNAL_TOKEN: testInternalToken,
      EXTRACTOR: overrides,
    }),
    logger: makeLogger("extractor", (line) => void lines.push(JSON.parse(line) as { msg?: string; path?: string })),
    port,
  });
  return {
    url: `http://127.0.0.1:${service.server.port}`,
    extractions: () => lines.filter((l) => l.msg === "request" && l.path === "/internal/extract").length,
    dispose: async () => {
      await service.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
