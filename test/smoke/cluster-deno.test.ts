import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { freeClusterBase } from "../cluster/support/port-block.ts";
import { defineSmokeSuite } from "./smoke-suite.ts";

// The scale-out path under Deno: every service of `npm run start:cluster` (3 nodes, 2 logs
// replicas, 2 gateways, the extractor) on Deno, with postgres.js and the NATS client through
// Deno's Node compatibility, on a throwaway PostgreSQL and NATS.
const dataDir = mkdtempSync(join(tmpdir(), "smoke-cluster-deno-"));
chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user, which must get through it
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

defineSmokeSuite("a 3-node cluster with every service on Deno", {
  script: "start:cluster",
  dataDir,
  env: { GATEWAY_PORT: String(await freeClusterBase()), ORCHESTRATOR_WARM_POOL_SIZE: "0", PLATFORM_JS_RUNTIME: "deno" },
});
