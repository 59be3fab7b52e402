import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigProvider } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveAllInOne } from "../../services/all-in-one/serve-all-in-one.ts";
import { readEvents } from "../smoke/sse-reader.ts";
import { callApi } from "../support/api.ts";
import { previewPortBlock } from "../support/port-blocks.ts";
import { proxyProbeApp } from "../support/fixture-apps.ts";
import { testInternalToken, testJwtSecret } from "../support/test-orchestrator.ts";

let service: Awaited<ReturnType<typeof serveAllInOne>>;
let base: string;
let token: string;
const dataDir = mkdtempSync(join(tmpdir(), "all-in-one-"));
const previews = previewPortBlock();
beforeAll(async () => {
  service = await serveAllInOne({
    configProvider: ConfigProvider.fromUnknown({
      DATA_DIR: dataDir,
      JWT_SECRET: testJwtSecret,
      INTERNAL_TOKEN: testInternalToken,
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      ORCHESTRATOR: { RUNTIME: "host", PORT_RANGE_FROM: String(previews.from), PORT_RANGE_TO: String(previews.to) },
    }),
    logger: makeLogger("all-in-one", () => {}),
    port: 0,
  });
  base = `http://127.0.0.1:${service.server.port}`;
  token = await signUserToken(testJwtSecret, "solo");
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("all in one process", () => {
  it("runs the whole public API on one port with in-process peers, and closes cleanly", async () => {
    const created = await callApi(base, "POST", "/api/generations", { token, json: { files: proxyProbeApp } });
    const generationId = created.body.generationId as string;
    const launched = await callApi(base, "POST", `/api/generations/${generationId}/preview/launch`, { token, json: { wait: true } });
    expect(launched.body.status).toBe("running");

    // The orchestrator's lines reached the logs store in process, and stream through the gateway.
    const { body } = await callApi(base, "POST", `/api/generations/${generationId}/preview/logs/token`, { token });
    const stream = await fetch(`${base}/api/generations/${generationId}/preview/logs/stream?token=${encodeURIComponent(body.token as string)}`);
    const events = await readEvents(stream, (evs) => evs.some((e) => e.data.includes("Uvicorn running on")));
    expect(events.filter((e) => e.event === "log").map((e) => Number(e.id))[0]).toBe(1);

    const proxied = await fetch(`${base}/p/${launched.body.previewInstanceId as string}/items/2`, { headers: { "x-preview-token": launched.body.previewToken as string } });
    expect(await proxied.json()).toEqual({ item_id: 2, q: "" });
    const endpoints = await callApi(base, "GET", `/api/generations/${generationId}/endpoints`, { token });
    expect(endpoints.body.source).toBe("live");
    const tried = await callApi(base, "POST", `/api/generations/${generationId}/preview/request`, { token, json: { method: "GET", path: "/items/4" } });
    expect(tried.body).toMatchObject({ statusCode: 200, data: { item_id: 4 } });
    // Another user's generation is still a 404 through the in-process directory.
    const other = await callApi(base, "GET", `/api/generations/${generationId}/preview/logs`, { token: await signUserToken(testJwtSecret, "intruder") });
    expect(other.status).toBe(404);

    await service.shutdown();
    expect(existsSync(join(dataDir, "orchestrator.db-wal"))).toBe(false);
    expect(existsSync(join(dataDir, "logs.db-wal"))).toBe(false);
  });
});
