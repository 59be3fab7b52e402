import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { Option } from "effect";
import type { OrchestratorConfig } from "./config.ts";

export interface NodeIdentity {
  readonly id: string;
  /** Where the other nodes reach this one's internal routes; "" for nowhere (ORCHESTRATOR_NODE_URL=none: it takes only the launches sent to it). */
  readonly url: string;
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
  const given = Option.getOrElse(config.nodeUrl, () => `http://${config.host}:${config.port}`);
  const url = given === "none" ? "" : given;
  const drainOnStop = config.drainOnStop === "auto" ? clustered : config.drainOnStop === "on";
  return { id, url, capacity: config.nodeCapacity, leaseMs: config.nodeLeaseMs, drainOnStop };
};
