import getPort from "get-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { logsPath } from "./support/previews.ts";
import { type LogsStack, startLogsStack } from "./support/stack.ts";

let stack: LogsStack;
beforeAll(async () => {
  // The logs service is pointed at an orchestrator that is not there.
  stack = await startLogsStack({ logs: { ORCHESTRATOR_URL: `http://127.0.0.1:${await getPort()}` } });
});
afterAll(() => stack.dispose());

describe("when the orchestrator does not answer", () => {
  it("answers 503 with a retryable code and never a stack trace", async () => {
    const token = await stack.token("alice");
    for (const path of ["/stream", "", "/export"]) {
      const res = await callApi<ErrorEnvelope>(stack.logsUrl, "GET", `${logsPath("anygeneration")}${path}`, { token });
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: "service_unavailable", message: "The orchestrator did not answer; try again shortly" });
    }
  });
});
