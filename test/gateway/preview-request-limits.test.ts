import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { proxyProbeApp } from "../support/fixture-apps.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";

let platform: TestPlatform;
let preview: Awaited<ReturnType<TestPlatform["runPreview"]>>;
beforeAll(async () => {
  platform = await startTestPlatform({ MAX_REQUEST_ANSWER_BYTES: "300" });
  preview = await platform.runPreview("alice", proxyProbeApp);
});
afterAll(() => platform.dispose());

const send = (json: Record<string, unknown>) =>
  callApi(platform.gateway, "POST", `/api/generations/${preview.generationId}/preview/request`, { token: preview.token, json });

describe("route 5's limits: the answer cap and the headers a client describes", () => {
  it("answers a reply within GATEWAY_MAX_REQUEST_ANSWER_BYTES whole, and a longer one cut at it with truncated: true", async () => {
    const whole = await send({ method: "GET", path: "/bytes" });
    expect(whole.body.truncated).toBeUndefined();
    expect(Buffer.from(whole.body.data as string, "base64")).toHaveLength(256);
    const long = await send({ method: "GET", path: "/echo/headers", headers: { "x-long": "y".repeat(1000) } });
    expect(long.status).toBe(200);
    expect(long.body.truncated).toBe(true);
    // Cut JSON is not JSON: its first 300 bytes come back as text.
    expect(long.body.data).toHaveLength(300);
    expect(long.body.data as string).toMatch(/^\{"headers":/);
  });

  it("passes a valid header on", async () => {
    const res = await send({ method: "GET", path: "/bytes", headers: { "x-fine": "a value\twith tab" } });
    expect(res.status).toBe(200);
  });

  for (const [what, headers, named] of [
    ["a name with a space", { "bad name": "x" }, "bad name"],
    ["a name with a colon", { "x:y": "x" }, "x:y"],
    ["an empty name", { "": "x" }, ""],
    ["a value with CRLF", { "x-inject": "a\r\nx-evil: 1" }, "x-inject"],
    ["a value with NUL", { "x-nul": "a\u0000b" }, "x-nul"],
    ["a value beyond U+00FF", { "x-wide": "snow \u2603" }, "x-wide"],
  ] as const) {
    it(`answers 400 naming the header for ${what}, not 500`, async () => {
      const res = await send({ method: "GET", path: "/bytes", headers });
      expect(res.status).toBe(400);
      const error = (res.body as unknown as ErrorEnvelope).error;
      expect(error.code).toBe("invalid_request");
      expect(error.message).toContain(`Invalid header ${JSON.stringify(named)}`);
      expect(error.details).toMatchObject({ field: "headers", header: named });
    });
  }

  it("refuses more than 100 headers", async () => {
    const headers = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`x-h${i}`, "v"]));
    const res = await send({ method: "GET", path: "/bytes", headers });
    expect(res.status).toBe(400);
    expect((res.body as unknown as ErrorEnvelope).error.message).toContain("Too many headers");
  });
});
