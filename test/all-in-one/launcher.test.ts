import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigProvider } from "effect";
import getPort from "get-port";
import { afterAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { launch } from "../../services/launcher.ts";
import { callApi, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { previewPortBlock } from "../support/port-blocks.ts";
import { testInternalToken, testJwtSecret } from "../support/test-orchestrator.ts";

const dataDir = mkdtempSync(join(tmpdir(), "launcher-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const logger = makeLogger("launcher-test", () => {});

describe("the one launcher", () => {
  it("refuses an unknown service, and a together set without its front or peers, naming them", async () => {
    const options = { configProvider: ConfigProvider.fromUnknown({ DATA_DIR: dataDir }), logger };
    await expect(launch(["orchestrator", "web" as never], "split", options)).rejects.toThrow(/Unknown service web; the services are orchestrator, logs, extractor, gateway/);
    await expect(launch(["gateway", "orchestrator"], "together", options)).rejects.toThrow(/add logs/);
  });

  it("serves all four split in one process, each on its own port with HTTP peers, and stops them in order leaving no WAL", async () => {
    const [gateway, orchestrator, logs, extractor] = await Promise.all([getPort(), getPort(), getPort(), getPort()]);
    const previews = previewPortBlock();
    const launched = await launch(["gateway", "extractor", "logs", "orchestrator"], "split", {
      configProvider: ConfigProvider.fromUnknown({
        DATA_DIR: dataDir, JWT_SECRET: testJwtSecret, INTERNAL_TOKEN: testInternalToken, PATH: process.env.PATH ?? "/usr/bin:/bin",
        PUBLIC_URL: `http://127.0.0.1:${gateway}`,
        GATEWAY: { PORT: String(gateway), ORCHESTRATOR_URL: `http://127.0.0.1:${orchestrator}`, LOGS_URL: `http://127.0.0.1:${logs}` },
        ORCHESTRATOR: {
          PORT: String(orchestrator), LOGS_URL: `http://127.0.0.1:${logs}`, EXTRACTOR_URL: `http://127.0.0.1:${extractor}`,
          RUNTIME: "host", PORT_RANGE_FROM: String(previews.from), PORT_RANGE_TO: String(previews.to),
        },
        LOGS: { PORT: String(logs), ORCHESTRATOR_URL: `http://127.0.0.1:${orchestrator}` },
        EXTRACTOR: { PORT: String(extractor) },
      }),
      logger,
    });
    try {
      expect([...launched.servers].map(([name, server]) => [name, server.port])).toEqual([
        ["orchestrator", orchestrator], ["logs", logs], ["extractor", extractor], ["gateway", gateway],
      ]);
      const base = `http://127.0.0.1:${gateway}`;
      const token = await signUserToken(testJwtSecret, "launcher");
      const created = await callApi(base, "POST", "/api/generations", { token, json: { files: helloApp } });
      const generationId = created.body.generationId as string;
      // The extractor service answered the static endpoints (the orchestrator asked it over HTTP).
      const endpoints = await callApi(base, "GET", `/api/generations/${generationId}/endpoints`, { token });
      expect(endpoints.status).toBe(200);
      expect(endpoints.body.source).toBe("static");
      expect((await callApi(base, "POST", `/api/generations/${generationId}/preview/launch`, { token, json: { wait: true } })).body.status).toBe("running");
      // The orchestrator's lines reached the logs service over HTTP.
      await eventually(async () => {
        const history = await callApi(base, "GET", `/api/generations/${generationId}/preview/logs?limit=500`, { token });
        return (history.body.logs as Array<{ message: string }> | undefined)?.some((l) => l.message.includes("Uvicorn running on")) ? true : undefined;
      }, 30_000, "the preview's lines in the logs service");
    } finally {
      await launched.shutdown();
    }
    for (const port of [gateway, orchestrator, logs, extractor]) expect(await fetch(`http://127.0.0.1:${port}/healthz`).then(() => "up", () => "down")).toBe("down");
    expect(existsSync(join(dataDir, "orchestrator.db-wal"))).toBe(false);
    expect(existsSync(join(dataDir, "logs.db-wal"))).toBe(false);
  });
});
