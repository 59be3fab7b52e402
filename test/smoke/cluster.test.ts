import { chmodSync } from "node:fs";
import { freeClusterBase } from "../cluster/support/port-block.ts";
import { tempDirs } from "../support/temp-dirs.ts";
import { defineSmokeSuite } from "./smoke-suite.ts";

const freshDir = tempDirs();
const clusterDataDir = (prefix: string) => {
  const dir = freshDir(prefix);
  chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user, which must get through it
  return dir;
};

// Two blocks of ports, both free now and apart (the second cluster starts after the first stops).
const bases = [await freeClusterBase()];
while (bases.length < 2) {
  const base = await freeClusterBase();
  if (base !== bases[0]) bases.push(base);
}

// The same public-API suite against `npm run start:cluster`: 3 nodes on a throwaway PostgreSQL and
// NATS, 2 logs replicas, 2 gateways (the suite talks to the first).
defineSmokeSuite("a 3-node cluster on PostgreSQL and NATS (npm run start:cluster)", {
  script: "start:cluster",
  dataDir: clusterDataDir("smoke-cluster-"),
  env: { GATEWAY_PORT: String(bases[0]), ORCHESTRATOR_WARM_POOL_SIZE: "0" },
});

// The scale-out path under Deno: every service of the cluster on Deno, postgres.js and the NATS
// client through Deno's Node compatibility.
defineSmokeSuite("a 3-node cluster with every service on Deno", {
  script: "start:cluster",
  dataDir: clusterDataDir("smoke-cluster-deno-"),
  env: { GATEWAY_PORT: String(bases[1]), ORCHESTRATOR_WARM_POOL_SIZE: "0", PLATFORM_JS_RUNTIME: "deno" },
});
