import { defineConfig } from "vitest/config";
import { clusterMatrixFiles } from "./test/deployment-matrix.ts";

export default defineConfig({
  test: {
    // A bound on a hang, not a speed check: every wait inside a test has its own deadline, and on a
    // loaded machine a case that starts sandboxes (the warm pool fills at low priority) runs past 60 s.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Tests start real uvicorn processes; two files at a time suits a 2-core machine.
    maxWorkers: 2,
    // node:sqlite's one-time "experimental" notice, as the services hide it (scripts/run-service.sh).
    execArgv: ["--disable-warning=ExperimentalWarning"],
    setupFiles: ["test/support/setup-file.ts"],
    coverage: {
      provider: "v8",
      include: ["libs/**/*.ts", "services/**/*.ts"],
      exclude: [
        // Entry files only wire layers; they are exercised by the process-level tests (npm start, restart).
        "services/*/main.ts", "services/*/drizzle*.config.ts",
        // Browser code runs in chromium (test/web drives it), where Node's v8 coverage cannot see it.
        "services/web/page/**", "libs/client/browser-event-source.ts",
        // Deno-only layers run in Deno processes (test/smoke, test/deno), outside this coverage.
        "libs/proxy/fetch-upstream-client.ts",
      ],
      reporter: ["text-summary", "json-summary"],
      thresholds: { lines: 90 },
    },
    // The deployment matrix (test/deployment-matrix.ts): every test once on one machine, and the
    // public-API ones again against a 3-node cluster. Run one deployment with --project single|cluster.
    projects: [
      { extends: true, test: { name: "single", include: ["test/**/*.test.ts"] } },
      { extends: true, test: { name: "cluster", include: clusterMatrixFiles(import.meta.dirname), env: { PLATFORM_DEPLOYMENT: "cluster" } } },
    ],
  },
});
