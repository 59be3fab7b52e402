import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portHolder } from "../../scripts/runner/proc.ts";
import { callApi, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { pidsOfPreview, pidsUsingDataDir, processAlive } from "../support/processes.ts";
import { findProcess, type ServiceProcess, serviceProcess } from "../support/service-processes.ts";

const run = promisify(execFile);
const services = ["extractor", "logs", "gateway", "orchestrator"] as const;
type Service = (typeof services)[number];
const portVariable: Record<Service, string> = { gateway: "GATEWAY_PORT", orchestrator: "ORCHESTRATOR_PORT", logs: "LOGS_PORT", extractor: "EXTRACTOR_PORT" };

let platform: PlatformProcess;
let token: string;
let generationId: string;
let previewId: string;

const processes = () => Object.fromEntries(services.map((s) => [s, serviceProcess(platform.dataDir, s)])) as Record<Service, ServiceProcess | undefined>;

/** The platform answers through the gateway: the orchestrator and the logs service (401 without a token), the extractor (the upload extracts). */
const serving = async () => {
  const api = await fetch(`${platform.gateway}/api/generations/x`).catch(() => undefined);
  const logs = await fetch(`${platform.gateway}/api/generations/x/preview/logs`).catch(() => undefined);
  if (api?.status !== 401 || logs?.status !== 401) return undefined;
  const created = await callApi<{ generationId: string }>(platform.gateway, "POST", "/api/generations", { token, json: { files: helloApp } }).catch(() => undefined);
  return created?.status === 201 ? true : undefined;
};

/** The preview's whole stored log, as a resuming client reads it, page by page. */
const history = async () => {
  const lines: Array<{ id: number; message: string }> = [];
  for (let after = 0; ;) {
    const page = await callApi<{ logs: Array<{ id: number; message: string }>; nextAfter: number }>(
      platform.gateway, "GET", `/api/generations/${generationId}/preview/logs?after=${after}&limit=1000`, { token },
    );
    if (page.status !== 200) throw new Error(`log history answered ${page.status}`);
    lines.push(...page.body.logs);
    if (page.body.logs.length === 0) return lines;
    after = page.body.nextAfter;
  }
};

/** The new instance of `service` once it listens on its port: not `old`, and the port's only holder. */
const backAgain = (service: Service, old: number) =>
  eventually(() => {
    const now = serviceProcess(platform.dataDir, service);
    const port = Number(platform.env[portVariable[service]]);
    return now !== undefined && now.pid !== old && portHolder(port) === now.pid ? now : undefined;
  }, 90_000, `${service} restarted and listening`);

beforeAll(async () => {
  platform = await startPlatformProcess();
  token = (await run("npm", ["run", "--silent", "token", "--", "alice"], { env: platform.env })).stdout.trim();
  const created = await callApi<{ generationId: string }>(platform.gateway, "POST", "/api/generations", { token, json: { files: helloApp } });
  generationId = created.body.generationId;
  const launched = await callApi(platform.gateway, "POST", `/api/generations/${generationId}/preview/launch`, { token, json: { wait: true } });
  expect(launched.body.status).toBe("running");
  previewId = launched.body.previewInstanceId as string;
});
afterAll(() => platform.stop());

describe("the runner supervises the services of `npm start`", () => {
  // Each service runs straight under the runner (Node strips types itself; Deno likewise): no wrapper to kill.
  for (const service of services) {
    it(`kill -9 of the ${service}'s process: it is back, the others kept serving, nothing orphaned`, async () => {
      const before = processes();
      const victim = before[service];
      expect(victim).toBeDefined();
      if (victim === undefined) return;
      process.kill(victim.pid, "SIGKILL");
      const after = await backAgain(service, victim.pid);
      expect(after.pid).not.toBe(victim.pid);
      // The old service process is gone (the runner reaped its group).
      await eventually(() => (!processAlive(victim.pid) ? true : undefined), 30_000, "the old process to be gone");
      await eventually(serving, 60_000, "the platform to serve again");
      for (const other of services.filter((s) => s !== service)) {
        expect(processes()[other]?.pid, `${other} kept running`).toBe(before[other]?.pid);
      }
      // The preview kept running through it, the orchestrator's death included (it is re-adopted).
      const preview = await eventually(async () => {
        const res = await callApi<{ status: string; previewInstanceId: string }>(platform.gateway, "GET", `/api/generations/${generationId}/preview/status`, { token });
        return res.status === 200 ? res.body : undefined;
      }, 30_000, "the preview status");
      expect(preview).toMatchObject({ status: "running", previewInstanceId: previewId });
      expect(pidsOfPreview(platform.dataDir, previewId).length).toBeGreaterThan(0);
      // It still serves, and what it prints now reaches the log (printed once per call).
      const called = await callApi(platform.gateway, "POST", `/api/generations/${generationId}/preview/request`, { token, json: { method: "GET", path: "/hello", query: { after: service } } });
      expect(called.body).toMatchObject({ statusCode: 200 });
      await eventually(async () => ((await history()).some((l) => l.message.includes(`/hello?after=${service}`)) ? true : undefined), 60_000, `the log line of the call after the ${service}'s kill`);
    }, 240_000);
  }

  it("kept one log through all four kills: ids never repeat nor restart, and each call after a kill is there once", async () => {
    const lines = await history();
    const ids = lines.map((l) => l.id);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    for (const service of services) expect(lines.filter((l) => l.message.includes(`/hello?after=${service}`))).toHaveLength(1);
    expect(lines.filter((l) => l.message.includes("re-adopted"))).toHaveLength(1);
  });

  it("kill -9 of the runner: every service and preview stops", async () => {
    expect(pidsOfPreview(platform.dataDir, previewId).length).toBeGreaterThan(0);
    const runner = findProcess(platform.dataDir, "scripts/procfile.ts");
    expect(runner).toBeDefined();
    process.kill(runner?.pid ?? -1, "SIGKILL");
    await eventually(() => (pidsUsingDataDir(platform.dataDir).length === 0 ? true : undefined), 60_000, "no process of the platform left");
    for (const service of services) expect(portHolder(Number(platform.env[portVariable[service]]))).toBeUndefined();
  }, 120_000);
});
