import { createServer } from "node:net";
import { clusterPorts } from "../../../scripts/cluster/cluster-procfile.ts";

const free = (port: number) => new Promise<boolean>((resolve) => {
  const server = createServer().once("error", () => resolve(false)).listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
});

/**
 * A GATEWAY_PORT for `npm run start:cluster` whose whole block (gateways, extractor, logs, nodes) is
 * free now. Blocks lie in 10000–24999: below the kernel's ephemeral range (32768–60999, where
 * get-port's and every connection's ports come from) and below the test previews' port blocks
 * (25000+, test/support/port-blocks.ts). A block among those could be taken by another test file
 * between this check and the cluster's bind, and the test would then talk to that file's gateway.
 */
export const freeClusterBase = async (nodes = 3): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 10_000 + Math.floor(Math.random() * 468) * 32;
    const ports = clusterPorts({ nodes, gatewayPort: base });
    if ((await Promise.all([...ports.gateways, ports.extractor, ...ports.logs, ...ports.nodes].map(free))).every(Boolean)) return base;
  }
  throw new Error("no free block of ports for the cluster");
};
