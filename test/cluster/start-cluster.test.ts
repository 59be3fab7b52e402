import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterPorts } from "../../scripts/cluster/cluster-procfile.ts";
import { callApi, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { previewPath } from "../support/previews.ts";
import { portAccepts } from "../support/processes.ts";
import { freeClusterBase } from "./support/port-block.ts";

// `npm run start:cluster` for real: throwaway PostgreSQL and NATS, 3 nodes, 2 logs replicas,
// 2 gateways and the extractor, as a user starts it; launches through both gateways.
let dataDir: string;
let base: number;
let cluster: ChildProcess;
let exited: Promise<number | null>;
const output: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "start-cluster-"));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user, which must get through it
  base = await freeClusterBase();
  cluster = spawn(process.execPath, ["scripts/cluster/start.ts"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(base),
      ORCHESTRATOR_RUNTIME: "host",
      ORCHESTRATOR_WARM_POOL_SIZE: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [cluster.stdout, cluster.stderr]) stream?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  exited = new Promise((resolve) => cluster.once("exit", (code) => resolve(code)));
  const ports = clusterPorts({ nodes: 3, gatewayPort: base });
  await eventually(async () => {
    if (cluster.exitCode !== null) throw new Error(`start:cluster exited with ${cluster.exitCode}`);
    const answers = await Promise.all([...ports.gateways, ...ports.logs, ...ports.nodes, ports.extractor]
      .map((port) => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)));
    return answers.every(Boolean) ? true : undefined;
  }, 120_000, "every process of the cluster to answer").catch((e: unknown) => {
    throw new Error(`${String(e)}; its output: ${output.join("").slice(-3000)}`);
  });
}, 180_000);

afterAll(async () => {
  if (cluster !== undefined && cluster.exitCode === null && cluster.signalCode === null) {
    cluster.kill("SIGINT");
    await exited;
  }
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

describe("npm run start:cluster", () => {
  it("serves any request on either gateway, spreads launches over the nodes, admits one of 200 racing launches, and Ctrl-C stops everything", async () => {
    const ports = clusterPorts({ nodes: 3, gatewayPort: base });
    const gateways = ports.gateways.map((port) => `http://127.0.0.1:${port}`);
    // The same DATA_DIR's secret signs tokens both gateways accept.
    const token = execFileSync(process.execPath, ["scripts/token.ts", "alice"], { env: { ...process.env, DATA_DIR: dataDir }, encoding: "utf8" }).trim();

    const launched: Array<{ generationId: string; previewInstanceId: string; previewToken: string }> = [];
    for (let i = 0; i < 3; i++) {
      const via = gateways[i % 2] as string;
      const created = await callApi<{ generationId: string }>(via, "POST", "/api/generations", { token, json: { files: helloApp } });
      expect(created.status).toBe(201);
      // Uploaded through one gateway, launched through the other.
      const res = await callApi<{ previewInstanceId: string; previewToken: string }>(gateways[(i + 1) % 2] as string, "POST", `${previewPath(created.body.generationId)}/launch`, { token, json: { wait: true } });
      expect(res.status).toBe(200);
      launched.push({ generationId: created.body.generationId, previewInstanceId: res.body.previewInstanceId, previewToken: res.body.previewToken });
    }
    const nodes = await Promise.all(launched.map(async ({ generationId }) =>
      (await callApi<{ node: string }>(gateways[0] as string, "GET", `${previewPath(generationId)}/status`, { token })).body.node));
    // Equal loads: each launch went to the least loaded node, so one on each.
    expect([...nodes].sort()).toEqual(["node-1", "node-2", "node-3"]);

    // Every preview answers through both gateways, whichever node runs it.
    for (const { previewInstanceId, previewToken } of launched) {
      for (const gateway of gateways) {
        const res = await callApi<{ message: string }>(gateway, "GET", `/p/${previewInstanceId}/hello`, { headers: { "x-preview-token": previewToken } });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ message: "hi" });
      }
    }

    // 200 concurrent launches of one generation through the two gateways (placed over 3 nodes): exactly one wins.
    const racer = execFileSync(process.execPath, ["scripts/token.ts", "racer"], { env: { ...process.env, DATA_DIR: dataDir }, encoding: "utf8" }).trim();
    const contested = await callApi<{ generationId: string }>(gateways[0] as string, "POST", "/api/generations", { token: racer, json: { files: helloApp } });
    const raced = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      callApi<{ error?: { code: string } }>(gateways[i % 2] as string, "POST", `${previewPath(contested.body.generationId)}/launch`, { token: racer, json: {} })));
    expect(raced.filter((r) => r.status === 202)).toHaveLength(1);
    expect(raced.filter((r) => r.status === 409).map((r) => r.body.error?.code)).toEqual(Array(199).fill("preview_already_running"));

    cluster.kill("SIGINT");
    expect(await exited).toBe(0);
    const all = [...ports.gateways, ports.extractor, ...ports.logs, ...ports.nodes];
    expect(await Promise.all(all.map(portAccepts))).toEqual(all.map(() => false));
    // The nodes drained: every preview stopped, none left running.
    const text = output.join("");
    expect(text).toContain("cluster | stopped");
    for (const name of ["node-1", "node-2", "node-3"]) expect(text).toMatch(new RegExp(`${name} +\\| exited \\(0\\)`));
  }, 240_000);
});
