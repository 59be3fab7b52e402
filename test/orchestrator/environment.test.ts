import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi } from "../support/api.ts";
import { envDumpApp } from "../support/fixture-apps.ts";
import { launch, previewPath, previewRow, upload } from "../support/previews.ts";
import { startTestOrchestrator, testInternalToken, testJwtSecret, type TestOrchestrator } from "../support/test-orchestrator.ts";

const canary = "canary-value-that-must-not-leak-7d1f";
let o: TestOrchestrator;
beforeAll(async () => {
  // Things the platform's own process holds: they must never reach a preview.
  process.env.PLATFORM_CANARY_SECRET = canary;
  process.env.JWT_SECRET = testJwtSecret;
  process.env.INTERNAL_TOKEN = testInternalToken;
  o = await startTestOrchestrator();
});
afterAll(async () => {
  delete process.env.PLATFORM_CANARY_SECRET;
  delete process.env.JWT_SECRET;
  delete process.env.INTERNAL_TOKEN;
  await o.dispose();
});

describe("a preview's environment", () => {
  it("holds only the allow-listed variables and none of the platform's secrets", async () => {
    const token = await o.token("alice");
    const generationId = await upload(o, token, envDumpApp);
    const launched = await launch(o, token, generationId, { wait: true });
    expect(launched.status).toBe(200);
    const row = previewRow(o, launched.body.previewInstanceId as string);
    const env = (await (await fetch(`http://127.0.0.1:${row.port}/env`)).json()) as Record<string, string>;

    expect(Object.keys(env).sort()).toEqual(["DATABASE_URL", "HOME", "LANG", "PATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"]);
    expect(env.HOME).toBe(row.work_dir);
    expect(env.PYTHONUNBUFFERED).toBe("1");
    const everything = JSON.stringify(env);
    for (const secret of [canary, testJwtSecret, testInternalToken]) expect(everything).not.toContain(secret);
    await callApi(o.url, "DELETE", previewPath(generationId), { token });
  });
});
