import { join } from "node:path";

export interface ClusterSettings {
  readonly nodes: number;
  readonly gatewayPort: number;
}

const positive = (env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be a whole number from 1 to ${max}, not ${JSON.stringify(raw)}`);
  return n;
};

export const clusterSettings = (env: NodeJS.ProcessEnv): ClusterSettings => ({
  nodes: positive(env, "CLUSTER_NODES", 3, 50),
  gatewayPort: positive(env, "GATEWAY_PORT", 8080, 65_000),
});

/**
 * Ports from GATEWAY_PORT (G): gateways G and G+1, the extractor G+3, logs replicas G+4 and G+5,
 * node i (from 1) G+10+i. Node i is reached at its port by the others (placement); gateway j and
 * logs replica j talk to node j (any node answers for any preview: the state is in PostgreSQL);
 * gateway j runs as if beside node j, so it reaches the other nodes' previews through those nodes.
 */
export const clusterPorts = (s: ClusterSettings) => ({
  gateways: [s.gatewayPort, s.gatewayPort + 1] as const,
  extractor: s.gatewayPort + 3,
  logs: [s.gatewayPort + 4, s.gatewayPort + 5] as const,
  nodes: Array.from({ length: s.nodes }, (_, i) => s.gatewayPort + 11 + i),
});

/** The cluster's processes as Procfile lines (scripts/procfile.ts runs them); nodes first, so they stop (drain) first. */
export const clusterProcfile = (s: ClusterSettings, dataDir: string): string => {
  const ports = clusterPorts(s);
  const publicUrl = `\${PUBLIC_URL:-http://127.0.0.1:${s.gatewayPort}}`;
  const node = (i: number) => `http://127.0.0.1:${ports.nodes[i % ports.nodes.length] ?? 0}`;
  const logs = (i: number) => `http://127.0.0.1:${ports.logs[i % 2] ?? 0}`;
  const lines = [
    ...ports.nodes.map((port, i) => `node-${i + 1}: ` + [
      `DATA_DIR=${join(dataDir, "nodes", `node-${i + 1}`)}`,
      `ORCHESTRATOR_NODE_ID=node-${i + 1}`,
      `ORCHESTRATOR_PORT=${port}`,
      // One copy of each generation and of the sandbox image for all nodes (one machine; a shared volume across machines).
      `ORCHESTRATOR_GENERATIONS_DIR=${join(dataDir, "generations")}`,
      `ORCHESTRATOR_RUNTIME_IMAGE_DIR=\${ORCHESTRATOR_RUNTIME_IMAGE_DIR:-${join(dataDir, "runtime", "images")}}`,
      `PUBLIC_URL=${publicUrl}`,
      `ORCHESTRATOR_LOGS_URL=${logs(i)}`,
      `ORCHESTRATOR_EXTRACTOR_URL=http://127.0.0.1:${ports.extractor}`,
      "exec scripts/run-service.sh orchestrator",
    ].join(" ")),
    ...ports.logs.map((port, i) => `logs-${i + 1}: LOGS_PORT=${port} LOGS_ORCHESTRATOR_URL=${node(i)} exec scripts/run-service.sh logs`),
    ...ports.gateways.map((port, i) => `gateway-${i + 1}: ` + [
      `GATEWAY_PORT=${port}`,
      `PUBLIC_URL=${publicUrl}`,
      "GATEWAY_LOCAL_MODE=${GATEWAY_LOCAL_MODE:-true}",
      `GATEWAY_ORCHESTRATOR_URL=${node(i)}`,
      // Beside node j as on its own machine: other nodes' previews through their node's internal proxy.
      `GATEWAY_NODE_ID=node-${(i % ports.nodes.length) + 1}`,
      `GATEWAY_LOGS_URL=${logs(i)}`,
      "exec scripts/run-service.sh gateway",
    ].join(" ")),
    `extractor: EXTRACTOR_PORT=${ports.extractor} exec scripts/run-service.sh extractor`,
  ];
  return lines.join("\n") + "\n";
};
