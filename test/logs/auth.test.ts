import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { signSseToken } from "../../libs/logs/sse-token.ts";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { testJwtSecret } from "../support/test-orchestrator.ts";
import { printerApp } from "./support/log-apps.ts";
import { launchRunning, logsPath, printLines, stopPreview } from "./support/previews.ts";
import { SseClient } from "./support/sse-client.ts";
import { type LogsStack, startLogsStack } from "./support/stack.ts";

let stack: LogsStack;
let alice: string;
let bob: string;
let generationId: string;
let port: number;
beforeAll(async () => {
  stack = await startLogsStack();
  alice = await stack.token("alice");
  bob = await stack.token("bob");
  ({ generationId, port } = await launchRunning(stack, alice, printerApp));
});
afterAll(async () => {
  await stopPreview(stack, alice, generationId);
  await stack.dispose();
});

const stream = (gid: string, query = "") => `${stack.logsUrl}${logsPath(gid)}/stream${query}`;
const newToken = async (user: string, gid = generationId) => {
  const res = await callApi<{ token: string; expiresAt: string }>(stack.logsUrl, "POST", `${logsPath(gid)}/token`, { token: user });
  expect(res.status).toBe(200);
  return res.body;
};

describe("browser-style auth for the log stream", () => {
  it("accepts an EventSource with ?token= and no headers, and again on its reconnect with Last-Event-ID", async () => {
    const { token, expiresAt } = await newToken(alice);
    const ttl = Date.parse(expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600_000);
    await printLines(port, 3, "es");
    const es = await SseClient.open(stream(generationId, `?token=${token}`));
    expect(es.status).toBe(200);
    const seen = await es.waitForLog((l) => l.message === "es-1 ");
    await es.close();
    const again = await SseClient.open(stream(generationId, `?token=${token}`), { "last-event-id": String(seen.id) });
    expect(again.status).toBe(200);
    const next = await again.waitForLog(() => true);
    await again.close();
    expect(next).toMatchObject({ id: seen.id + 1, message: "es-2 " });
  });

  it("answers 401 for an expired, foreign, forged or wrong-kind token", async () => {
    const expired = await signSseToken(testJwtSecret, { userId: "alice", generationId }, 60, Date.now() - 3_600_000);
    const otherGeneration = await signSseToken(testJwtSecret, { userId: "alice", generationId: "someothergeneration" }, 600);
    const forged = await signSseToken("not-the-platform-secret-0123456789", { userId: "alice", generationId }, 600);
    const bobsOwn = await signSseToken(testJwtSecret, { userId: "bob", generationId: "bobsgeneration" }, 600);
    for (const token of [expired.token, otherGeneration.token, forged.token, bobsOwn.token, alice, "garbage"]) {
      const res = await fetch(stream(generationId, `?token=${token}`));
      expect(res.status).toBe(401);
      const body = (await res.json()) as ErrorEnvelope;
      expect(body.error.code).toBe("unauthorized");
    }
  });

  it("does not take a log-stream token as a bearer token, here or at the orchestrator", async () => {
    const { token } = await newToken(alice);
    expect((await callApi(stack.logsUrl, "GET", logsPath(generationId), { token })).status).toBe(401);
    expect((await callApi(stack.orchestratorUrl, "GET", `/api/generations/${generationId}`, { token })).status).toBe(401);
  });

  it("requires credentials, and answers another user's generation as if it did not exist", async () => {
    const none = await fetch(stream(generationId));
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    await none.text();
    for (const [method, path] of [["GET", "/stream"], ["GET", ""], ["GET", "/export"], ["POST", "/token"]] as const) {
      const res = await callApi<ErrorEnvelope>(stack.logsUrl, method, `${logsPath(generationId)}${path}`, { token: bob });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("generation_not_found");
    }
    const expiredUser = await signUserToken(testJwtSecret, "alice", -10);
    expect((await callApi(stack.logsUrl, "GET", logsPath(generationId), { token: expiredUser })).status).toBe(401);
  });

  it("hides the ingest route from callers without the internal token", async () => {
    const res = await callApi<ErrorEnvelope>(stack.logsUrl, "POST", "/internal/logs", { rawBody: "", headers: { "x-internal-token": "wrong" } });
    expect(res.status).toBe(404);
  });
});
