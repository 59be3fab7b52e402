// The deployment matrix: every test file that starts the whole platform (startPlatformProcess) and
// talks to it only through its public API runs twice, against `npm start` (vitest project
// `single`) and against `npm run start:cluster` (project `cluster`: 3 runner nodes on a throwaway
// PostgreSQL and NATS, 2 logs replicas, 2 gateways). The same file, not a copy: the `cluster`
// project sets PLATFORM_DEPLOYMENT=cluster, which test/support/platform-process.ts reads.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Files that start the platform but check one machine's deployment itself, each with why. */
export const singleMachineOnly: Readonly<Record<string, string>> = {
  "test/platform/npm-start.test.ts": "checks `npm start` itself: its four services, SIGTERM of its runner, no WAL file left",
  "test/platform/supervision.test.ts": "kills the Procfile runner and each service of `npm start` (the cluster's own faults: test/cluster)",
  "test/deno/shutdown.test.ts": "SIGTERM of `npm start` on Deno, then its SQLite files and a restart on the same DATA_DIR",
  "test/web/deno-serving.test.ts": "a runtime variant of one machine's gateway (Deno); the cluster runs the default runtimes",
  "test/smoke/orchestrator-deno-sandbox.test.ts": "a runtime variant (Deno orchestrator, sandbox runtime) and kill -9 of `npm start`'s orchestrator",
};

const startsPlatform = /\bstartPlatformProcess\(/;

/** The test files that start the platform (found, not listed, so a new one joins the matrix by itself). */
export const platformTestFiles = (root: string): string[] =>
  (readdirSync(join(root, "test"), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => join("test", f))
    .filter((f) => startsPlatform.test(readFileSync(join(root, f), "utf8")))
    .sort();

/** The files the `cluster` project runs. */
export const clusterMatrixFiles = (root: string): string[] => platformTestFiles(root).filter((f) => !(f in singleMachineOnly));
