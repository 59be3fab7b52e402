import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigProvider } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveGateway } from "../../services/gateway/serve-gateway.ts";
import type { ErrorEnvelope } from "../support/api.ts";
import { originFetch, previewOriginOf } from "../support/preview-origin.ts";
import { testInternalToken, testJwtSecret } from "../support/test-orchestrator.ts";

// A gateway that cannot ask the orchestrator where a preview runs says so: a 503 to retry naming
// the orchestrator, never "this preview is not running" about a preview that may well be.
let gateway: { readonly url: string; readonly shutdown: () => Promise<void> };
const dataDir = mkdtempSync(join(tmpdir(), "gateway-orchestrator-away-"));

beforeAll(async () => {
  const service = await serveGateway({
    configProvider: ConfigProvider.fromUnknown({
      DATA_DIR: dataDir,
      JWT_SECRET: testJwtSecret,
      INTERNAL_TOKEN: testInternalToken,
      // Port 9 (discard) refuses on loopback: the orchestrator is away.
      GATEWAY: { ORCHESTRATOR_URL: "http://127.0.0.1:9", LOGS_URL: "http://127.0.0.1:9" },
    }),
    logger: makeLogger("gateway", () => {}),
    port: 0,
  });
  gateway = { url: `http://127.0.0.1:${service.server.port}`, shutdown: service.shutdown };
});

afterAll(async () => {
  await gateway?.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("a gateway whose orchestrator does not answer", () => {
  it.each([
    ["under /p/", () => fetch(`${gateway.url}/p/abcdefghij0123456789/items/1`, { headers: { "x-preview-token": "t" } })],
    ["on the preview's origin", () => originFetch(`${previewOriginOf(gateway.url, "abcdefghij0123456789")}/items/1`, { headers: { "x-preview-token": "t" } })],
  ])("answers a preview's request %s with a 503 naming the orchestrator", async (_where, request) => {
    const res = await request();
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorEnvelope).error).toMatchObject({ code: "service_unavailable", message: expect.stringContaining("orchestrator") });
  });
});
