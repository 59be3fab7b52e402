import { defineConfig } from "vitest/config";

// vitest 5's reporter prints failures with Map.groupBy, which Node 20 lacks: without this a failing
// test crashes the reporter instead of showing its diff.
if (typeof (Map as { groupBy?: unknown }).groupBy !== "function") {
  Object.defineProperty(Map, "groupBy", {
    value: <K, V>(items: Iterable<V>, key: (item: V, index: number) => K): Map<K, V[]> => {
      const groups = new Map<K, V[]>();
      let index = 0;
      for (const item of items) {
        const k = key(item, index++);
        groups.set(k, [...(groups.get(k) ?? []), item]);
      }
      return groups;
    },
  });
}

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
      exclude: [
        // Entry files only wire layers; they are exercised by the process-level tests (npm start, restart).
        "services/*/main.ts", "services/*/drizzle.config.ts",
        // Browser code runs in chromium (test/web drives it), where Node's v8 coverage cannot see it.
        "services/web/page/**", "libs/client/browser-event-source.ts",
        // Deno-only layers run in Deno processes (test/smoke, test/deno), outside this coverage.
        "libs/proxy/fetch-upstream-client.ts", "libs/db/node-sqlite-client.ts",
      ],
      reporter: ["text-summary", "json-summary"],
      thresholds: { lines: 90 },
    },
  },
});
