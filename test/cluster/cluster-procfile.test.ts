import { describe, expect, it } from "vitest";
import { clusterPorts, clusterProcfile, clusterSettings } from "../../scripts/cluster/cluster-procfile.ts";

describe("start:cluster's processes", () => {
  it("defaults to 3 nodes from GATEWAY_PORT 8080, each node named in its ORCHESTRATOR_NODE_ID, with a data dir of its own", () => {
    const settings = clusterSettings({});
    expect(settings).toEqual({ nodes: 3, gatewayPort: 8080 });
    expect(clusterPorts(settings)).toEqual({ gateways: [8080, 8081], extractor: 8083, logs: [8084, 8085], nodes: [8091, 8092, 8093] });
    const lines = clusterProcfile(settings, "/d").trim().split("\n");
    expect(lines.map((l) => l.split(":")[0])).toEqual(["node-1", "node-2", "node-3", "logs-1", "logs-2", "gateway-1", "gateway-2", "extractor"]);
    expect(lines[1]).toContain("DATA_DIR=/d/nodes/node-2 ORCHESTRATOR_NODE_ID=node-2 ORCHESTRATOR_PORT=8092 ORCHESTRATOR_GENERATIONS_DIR=/d/generations");
    expect(lines[6]).toContain("GATEWAY_PORT=8081");
    expect(lines[6]).toContain("GATEWAY_ORCHESTRATOR_URL=http://127.0.0.1:8092");
    expect(lines[6]).toContain("GATEWAY_NODE_ID=node-2");
  });

  it("refuses a CLUSTER_NODES or GATEWAY_PORT that is not a whole number in range, naming it", () => {
    expect(() => clusterSettings({ CLUSTER_NODES: "0" })).toThrow('CLUSTER_NODES must be a whole number from 1 to 50, not "0"');
    expect(() => clusterSettings({ CLUSTER_NODES: "two" })).toThrow("CLUSTER_NODES");
    expect(() => clusterSettings({ GATEWAY_PORT: "70000" })).toThrow("GATEWAY_PORT");
    expect(clusterSettings({ CLUSTER_NODES: "5", GATEWAY_PORT: "9000" })).toEqual({ nodes: 5, gatewayPort: 9000 });
  });
});
