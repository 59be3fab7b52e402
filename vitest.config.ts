import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests start real uvicorn processes; two files at a time suits a 2-core machine.
    maxWorkers: 2,
    coverage: {
      provider: "v8",
      include: ["libs/**/*.ts", "services/**/*.ts"],
      // Entry files only wire layers; they are exercised by the process-level tests (npm start, restart).
      exclude: ["services/*/main.ts", "services/*/drizzle.config.ts"],
      reporter: ["text-summary", "json-summary"],
      thresholds: { lines: 90 },
    },
  },
});
