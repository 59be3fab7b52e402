import { hostname } from "node:os";
import { ConfigProvider, Effect } from "effect";
import { describe, expect, it } from "vitest";
import { orchestratorConfig } from "../../services/orchestrator/config.ts";
import { nodeIdentity } from "../../services/orchestrator/node-identity.ts";

const configOf = (orchestrator: Record<string, string>) =>
  Effect.runSync(orchestratorConfig.parse(ConfigProvider.fromUnknown({ ORCHESTRATOR: orchestrator })));

describe("a node's identity", () => {
  it("defaults to the host name and a hash of its previews dir (not the port), reachable at HOST:PORT, draining only with PostgreSQL", () => {
    const here = nodeIdentity(configOf({ PORT: "8081" }), "/data/a/previews", false);
    const otherPort = nodeIdentity(configOf({ PORT: "9999" }), "/data/a/previews", true);
    const otherDir = nodeIdentity(configOf({ PORT: "8081" }), "/data/b/previews", false);
    expect(here.id).toMatch(new RegExp(`^${hostname()}-[0-9a-f]{10}$`));
    expect(otherPort.id).toBe(here.id);
    expect(otherDir.id).not.toBe(here.id);
    expect(here).toMatchObject({ url: "http://127.0.0.1:8081", capacity: 50, leaseMs: 15_000, drainOnStop: false });
    expect(otherPort).toMatchObject({ url: "http://127.0.0.1:9999", drainOnStop: true });
    // ORCHESTRATOR_NODE_URL=none: no address for the other nodes (a node served on a port chosen at start).
    expect(nodeIdentity(configOf({ NODE_URL: "none" }), "/p", true).url).toBe("");
  });

  it("takes ORCHESTRATOR_NODE_ID, _NODE_URL, _NODE_CAPACITY, _NODE_LEASE_MS and _DRAIN_ON_STOP as given", () => {
    const config = configOf({ NODE_ID: "rack-7", NODE_URL: "http://10.0.0.7:8081", NODE_CAPACITY: "12", NODE_LEASE_MS: "5000", DRAIN_ON_STOP: "on" });
    expect(nodeIdentity(config, "/p", false)).toEqual({ id: "rack-7", url: "http://10.0.0.7:8081", capacity: 12, leaseMs: 5000, drainOnStop: true });
    expect(nodeIdentity(configOf({ DRAIN_ON_STOP: "off" }), "/p", true).drainOnStop).toBe(false);
  });
});
