import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigProvider } from "effect";
import getPort from "get-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveGateway } from "../../services/gateway/serve-gateway.ts";
import { callApi } from "../support/api.ts";
import { previewPath } from "../support/previews.ts";
import { testInternalToken, testJwtSecret } from "../support/test-orchestrator.ts";
import { startTestNats, startTestPostgres } from "./support/servers.ts";
import { type Replica, startReplica, tokenFor } from "./support/replicas.ts";

// Gateways that cache routes for ten minutes, in front of an orchestrator on PostgreSQL, all on
// one NATS: a reload moves the preview to a new port, and the very next request through the other
// gateway must reach the new version (without the announcement it goes to the old, gone port).
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let nats: Awaited<ReturnType<typeof startTestNats>>;
let dataDir: string;
let orchestrator: Replica;
let gateways: Array<{ readonly url: string; readonly shutdown: () => Promise<void> }> = [];
const api = () => gateways[0]?.url ?? "";
const traffic = () => gateways[1]?.url ?? "";

const app = (version: number) => ({
  "main.py": ["from fastapi import FastAPI", "app = FastAPI()", "", "@app.get('/version')", `def version():\n    return {'version': ${version}}`, ""].join("\n"),
});

beforeAll(async () => {
  [pg, nats] = await Promise.all([startTestPostgres(), startTestNats()]);
  dataDir = mkdtempSync(join(tmpdir(), "routes-"));
  const port = await getPort();
  const publicUrl = `http://127.0.0.1:${port}`;
  orchestrator = await startReplica(dataDir, pg.url, {}, { env: { NATS_URL: nats.url }, publicUrl });
  const serve = async (listen: number) => {
    const service = await serveGateway({
      configProvider: ConfigProvider.fromUnknown({
        PUBLIC_URL: publicUrl,
        DATA_DIR: dataDir,
        JWT_SECRET: testJwtSecret,
        INTERNAL_TOKEN: testInternalToken,
        NATS_URL: nats.url,
        GATEWAY: { ORCHESTRATOR_URL: orchestrator.url, LOGS_URL: "http://127.0.0.1:9", ROUTE_CACHE_MS: "600000" },
      }),
      logger: makeLogger("gateway", () => {}),
      port: listen,
    });
    return { url: `http://127.0.0.1:${listen}`, shutdown: service.shutdown };
  };
  // Two gateways behind one public URL: the API calls go through the first, the preview's
  // traffic through the second, which hears of the reload only through NATS.
  gateways = [await serve(port), await serve(await getPort())];
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.shutdown()));
  await orchestrator?.shutdown();
  await Promise.all([pg?.dispose(), nats?.dispose()]);
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe("route changes reach the gateway over NATS", () => {
  it("after a reload the next request through another gateway with a 10-minute route cache reaches the new version", async () => {
    const token = await tokenFor("alice");
    const created = await callApi<{ generationId: string }>(api(), "POST", "/api/generations", { token, json: { files: app(1) } });
    const generationId = created.body.generationId;
    const launched = await callApi<{ previewInstanceId: string; previewToken: string }>(api(), "POST", `${previewPath(generationId)}/launch`, { token, json: { wait: true } });
    expect(launched.status).toBe(200);
    const ask = () => fetch(`${traffic()}/p/${launched.body.previewInstanceId}/version`, { headers: { "x-preview-token": launched.body.previewToken } });
    const first = await ask();
    expect(await first.json()).toEqual({ version: 1 }); // the route is now cached

    const reloaded = await callApi(api(), "POST", `${previewPath(generationId)}/reload`, { token, json: { files: app(2) } });
    expect(reloaded.status).toBe(200);
    const next = await ask();
    expect(next.status).toBe(200);
    expect(await next.json()).toEqual({ version: 2 });

    // A stop is announced too: the next request is refused at once, not sent to a dead port.
    expect((await callApi(api(), "DELETE", previewPath(generationId), { token })).status).toBe(200);
    const afterStop = await ask();
    expect(afterStop.status).toBe(503);
    await afterStop.text();
  });
});
