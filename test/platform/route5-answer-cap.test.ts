import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi } from "../support/api.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { portHolder } from "../../scripts/runner/proc.ts";

const run = promisify(execFile);
const MiB = 1024 * 1024;
const cap = 10 * MiB;

/** Answers 1 GiB, 1 MiB at a time, and counts the mebibytes it was asked for. */
const hugeAnswerApp = {
  "main.py": [
    "from fastapi import FastAPI",
    "from fastapi.responses import StreamingResponse",
    "app = FastAPI()",
    "sent = {'mib': 0}",
    "",
    "@app.get('/huge')",
    "def huge():",
    "    def chunks():",
    "        block = b'x' * (1024 * 1024)",
    "        for _ in range(1024):",
    "            sent['mib'] += 1",
    "            yield block",
    "    return StreamingResponse(chunks(), media_type='text/plain')",
    "",
    "@app.get('/sent')",
    "def sent_so_far():",
    "    return sent",
    "",
  ].join("\n"),
};

/** Peak resident memory of a process so far (VmHWM), in bytes. */
const peakRss = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmHWM:")) ?? "";
  return Number(/(\d+)/.exec(line)?.[1] ?? Number.NaN) * 1024;
};

let platform: PlatformProcess;
let token: string;
let generationId: string;
beforeAll(async () => {
  platform = await startPlatformProcess();
  token = (await run("npm", ["run", "--silent", "token", "--", "alice"], { env: platform.env })).stdout.trim();
  const created = await callApi<{ generationId: string }>(platform.gateway, "POST", "/api/generations", { token, json: { files: hugeAnswerApp } });
  generationId = created.body.generationId;
  const launched = await callApi(platform.gateway, "POST", `/api/generations/${generationId}/preview/launch`, { token, json: { wait: true } });
  expect(launched.body.status).toBe("running");
});
afterAll(() => platform.stop());

const send = (path: string) => callApi(platform.gateway, "POST", `/api/generations/${generationId}/preview/request`, { token, json: { method: "GET", path } });

describe("route 5 with a 1 GiB answer", () => {
  it("answers the first 10 MiB with truncated: true, stops reading the preview, and the gateway's memory stays far below the answer", async () => {
    // The gateway this test talks to (a cluster has two): the process listening on its port.
    const pid = portHolder(Number(new URL(platform.gateway).port)) ?? -1;
    expect(pid).toBeGreaterThan(0);
    const before = peakRss(pid);
    const res = await send("/huge");
    expect(res.status).toBe(200);
    expect(res.body.statusCode).toBe(200);
    expect(res.body.truncated).toBe(true);
    expect(res.body.data).toBe("x".repeat(cap));
    // The gateway's peak resident memory over the whole exchange grew by a small multiple of the cap, not by the answer's 1 GiB.
    const grown = peakRss(pid) - before;
    expect(grown).toBeLessThan(256 * MiB);
    // The preview was not drained: it produced only a little more than the cap before the exchange was cut.
    const sent = await send("/sent");
    expect(sent.body.data).toMatchObject({ mib: expect.any(Number) });
    expect((sent.body.data as { mib: number }).mib).toBeLessThan(1024);
  }, 120_000);

  it("leaves a small answer whole and unmarked", async () => {
    const res = await send("/sent");
    expect(res.status).toBe(200);
    expect(res.body.truncated).toBeUndefined();
  });
});
