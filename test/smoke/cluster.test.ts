import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { freeClusterBase } from "../cluster/support/port-block.ts";
import { defineSmokeSuite } from "./smoke-suite.ts";

// The same public-API suite against `npm run start:cluster`: 3 nodes on a throwaway PostgreSQL and
// NATS, 2 logs replicas, 2 gateways (the suite talks to the first).
const dataDir = mkdtempSync(join(tmpdir(), "smoke-cluster-"));
chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user, which must get through it
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

defineSmokeSuite("a 3-node cluster on PostgreSQL and NATS (npm run start:cluster)", {
  script: "start:cluster",
  dataDir,
  env: { GATEWAY_PORT: String(await freeClusterBase()), ORCHESTRATOR_WARM_POOL_SIZE: "0" },
});
