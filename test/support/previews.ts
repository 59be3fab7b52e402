import { expect } from "vitest";
import { callApi, eventually } from "./api.ts";
import type { TestOrchestrator } from "./test-orchestrator.ts";

export interface PreviewRowForTest {
  readonly id: string;
  readonly status: string;
  readonly pid: number | null;
  readonly port: number | null;
  readonly work_dir: string;
}

export const upload = async (o: TestOrchestrator, token: string, files: Record<string, string>): Promise<string> => {
  const res = await callApi<{ generationId: string }>(o.url, "POST", "/api/generations", { token, json: { files } });
  expect(res.status).toBe(201);
  return res.body.generationId;
};

export const previewPath = (generationId: string) => `/api/generations/${generationId}/preview`;

export const launch = (o: TestOrchestrator, token: string, generationId: string, body: Record<string, unknown> = {}) =>
  callApi<Record<string, unknown>>(o.url, "POST", `${previewPath(generationId)}/launch`, { token, json: body });

export const status = (o: TestOrchestrator, token: string, generationId: string) =>
  callApi<Record<string, unknown>>(o.url, "GET", `${previewPath(generationId)}/status`, { token });

/**
 * The latest preview's status view once it is `wanted`. Waiting for `running`, a preview that ended
 * instead fails at once with its own error; the bound is the orchestrator's: a launch ends (running
 * or failed) within its startup timeout, however slowly a loaded machine starts it.
 */
export const waitForStatus = (o: TestOrchestrator, token: string, generationId: string, wanted: string, timeoutMs = 120_000) =>
  eventually(async () => {
    const res = await status(o, token, generationId);
    if (res.body.status === wanted) return res.body;
    if (wanted === "running" && ["failed", "crashed", "stopped", "expired"].includes(String(res.body.status))) {
      throw new Error(`the preview is ${String(res.body.status)}, not running: ${String(res.body.errorMessage)}`);
    }
    return undefined;
  }, timeoutMs, `status ${wanted}`);

export const previewRow = (o: TestOrchestrator, previewId: string): PreviewRowForTest => {
  const [row] = o.query<PreviewRowForTest>("select id, status, pid, port, work_dir from previews where id = ?", previewId);
  if (row === undefined) throw new Error(`no row for ${previewId}`);
  return row;
};
