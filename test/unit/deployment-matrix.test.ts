import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import config from "../../vitest.config.ts";
import { clusterMatrixFiles, platformTestFiles, singleMachineOnly } from "../deployment-matrix.ts";

const root = process.cwd();
type Project = { readonly test?: { readonly name?: string; readonly include?: ReadonlyArray<string>; readonly env?: Record<string, string> } };
const project = (name: string) => (config.test?.projects as ReadonlyArray<Project> | undefined)?.find((p) => p.test?.name === name)?.test;

describe("the deployment matrix (vitest projects single and cluster)", () => {
  it("runs every test on one machine, and the files that start the platform again against the cluster", () => {
    expect(project("single")?.include).toEqual(["test/**/*.test.ts"]);
    expect(project("single")?.env?.["PLATFORM_DEPLOYMENT"]).toBeUndefined();
    expect(project("cluster")?.env).toEqual({ PLATFORM_DEPLOYMENT: "cluster" });
    const cluster = project("cluster")?.include ?? [];
    expect(cluster).toEqual(clusterMatrixFiles(root));
    expect(cluster).toContain("test/web/preview-tab.test.ts");
    expect(cluster).toContain("test/client/api-client.test.ts");
    expect(cluster).not.toContain("test/platform/npm-start.test.ts");
    // Deployment variants of the smoke suite name their own script: not in the matrix (cluster.test.ts is its cluster run).
    expect(cluster.filter((f) => f.startsWith("test/smoke/"))).toEqual([]);
  });

  it("excludes only files that exist and start the platform, each with its reason", () => {
    const starting = platformTestFiles(root);
    for (const [file, reason] of Object.entries(singleMachineOnly)) {
      expect(existsSync(file), file).toBe(true);
      expect(starting, `${file} no longer starts the platform: take it off the list`).toContain(file);
      expect(reason.length).toBeGreaterThan(10);
    }
  });
});
