import { expect } from "vitest";
import { callApi } from "../../support/api.ts";
import type { LogsStack } from "./stack.ts";

export const logsPath = (generationId: string) => `/api/generations/${generationId}/preview/logs`;

/** Uploads a project and launches it, waiting until it runs; gives the ids and the preview's host port. */
export const launchRunning = async (stack: LogsStack, token: string, files: Record<string, string>) => {
  const created = await callApi<{ generationId: string }>(stack.orchestratorUrl, "POST", "/api/generations", { token, json: { files } });
  expect(created.status).toBe(201);
  const generationId = created.body.generationId;
  const launched = await callApi<{ status: string; previewInstanceId: string }>(stack.orchestratorUrl, "POST", `/api/generations/${generationId}/preview/launch`, { token, json: { wait: true } });
  expect(launched.body.status).toBe("running");
  const previewId = launched.body.previewInstanceId;
  const [row] = stack.query<{ port: number }>("orchestrator", "select port from previews where id = ?", previewId);
  if (row === undefined) throw new Error("no preview row");
  return { generationId, previewId, port: row.port };
};

/** Makes the preview print `n` lines `prefix-0` … `prefix-(n-1)`. */
export const printLines = async (port: number, n: number, prefix: string, size = 0) => {
  const res = await fetch(`http://127.0.0.1:${port}/print?n=${n}&prefix=${prefix}&size=${size}`);
  expect(res.status).toBe(200);
  await res.text();
};

export const stopPreview = (stack: LogsStack, token: string, generationId: string) =>
  callApi(stack.orchestratorUrl, "DELETE", `/api/generations/${generationId}/preview`, { token });
