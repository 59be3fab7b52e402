import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/api.ts";
import { printerApp } from "./support/log-apps.ts";
import { launchRunning, logsPath } from "./support/previews.ts";
import { SseClient } from "./support/sse-client.ts";
import { type LogsStack, startLogsStack } from "./support/stack.ts";

let stack: LogsStack;
beforeAll(async () => {
  stack = await startLogsStack({ orchestrator: { IDLE_SECONDS: "2" }, logs: { TOUCH_SECONDS: "1" } });
});
afterAll(() => stack.dispose());

const row = (previewId: string) =>
  stack.query<{ status: string; last_activity_at: number; started_at: number }>("orchestrator", "select status, last_activity_at, started_at from previews where id = ?", previewId)[0];

describe("log subscribers and idle auto-stop", () => {
  it("keeps a watched preview alive past the idle limit, and lets it expire once nobody watches", async () => {
    const token = await stack.token("alice");
    const { generationId, previewId } = await launchRunning(stack, token, printerApp);
    const client = await SseClient.open(`${stack.logsUrl}${logsPath(generationId)}/stream`, { authorization: `Bearer ${token}` });
    // Activity reported later than the 2 s idle limit after the start, while still running: the subscriber kept it alive.
    const watched = await eventually(() => {
      const r = row(previewId);
      return r !== undefined && r.last_activity_at > r.started_at + 2500 ? r : undefined;
    }, 30_000, "activity past the idle limit");
    expect(watched.status).toBe("running");

    await client.close();
    await eventually(() => (row(previewId)?.status === "expired" ? true : undefined), 30_000, "idle expiry");
  });
});
