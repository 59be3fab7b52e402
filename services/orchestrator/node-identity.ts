import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { Option } from "effect";
import type { OrchestratorConfig } from "./config.ts";

export interface NodeIdentity {
  readonly id: string;
  /** Where the other nodes reach this one's internal routes; undefined when it listens on a port chosen at start. */
  readonly url: string | undefined;
  readonly capacity: number;
  readonly leaseMs: number;
  /** Drain on SIGTERM instead of leaving its previews for a restart to re-adopt. */
  readonly drainOnStop: boolean;
}

/**
 * This orchestrator process as a runner node. The name must stay the same across a restart, since
 * a restarted node re-adopts the previews its rows name: ORCHESTRATOR_NODE_ID, else the host name
 * and (a hash of) the previews dir, which is what a node owns: its previews' work dirs and the
 * heartbeat they watch. Not the port: an orchestrator restarted on another port is the same node.
 */
export const nodeIdentity = (config: OrchestratorConfig, previewsRoot: string, clustered: boolean): NodeIdentity => {
  const host = hostname();
  const fallback = `${host}-${createHash("sha256").update(previewsRoot).digest("hex").slice(0, 10)}`;
  const id = Option.getOrElse(config.nodeId, () => fallback);
  const url = Option.getOrElse(config.nodeUrl, () => (config.port === 0 ? undefined : `http://${config.host}:${config.port}`));
  const drainOnStop = config.drainOnStop === "auto" ? clustered : config.drainOnStop === "on";
  return { id, url, capacity: config.nodeCapacity, leaseMs: config.nodeLeaseMs, drainOnStop };
};
