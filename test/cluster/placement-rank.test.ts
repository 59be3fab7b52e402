import { describe, expect, it } from "vitest";
import { rankNodes } from "../../services/orchestrator/placement.ts";
import type { NodeRow } from "../../services/orchestrator/store/contract.ts";

const now = 1_000_000;
const node = (id: string, over: Partial<NodeRow> = {}): NodeRow => ({
  id, url: `http://${id}`, capacity: 4, draining: 0, startedAt: 0, leaseExpiresAt: now + 5000, ...over,
});
const ids = (nodes: ReadonlyArray<NodeRow>) => nodes.map((n) => n.id);

describe("placement's ranking of nodes", () => {
  it("least loaded first (live previews over capacity), the asking node first among equals, then by name", () => {
    const nodes = [node("c"), node("b"), node("self"), node("big", { capacity: 40 })];
    const live = new Map([["c", 1], ["b", 1], ["self", 1], ["big", 2]]);
    expect(ids(rankNodes(nodes, live, "self", now))).toEqual(["big", "self", "b", "c"]);
  });

  it("passes over draining nodes, lapsed leases, full nodes and nodes no other can reach (no URL), except itself", () => {
    const nodes = [
      node("draining", { draining: 1 }),
      node("lapsed", { leaseExpiresAt: now - 1 }),
      node("full", { capacity: 2 }),
      node("hidden", { url: "" }),
      node("self", { url: "" }),
      node("ok"),
    ];
    const live = new Map([["full", 2]]);
    expect(ids(rankNodes(nodes, live, "self", now))).toEqual(["self", "ok"]);
    expect(ids(rankNodes(nodes, live, "someone-else", now))).toEqual(["ok"]);
  });

  it("no node with room: none", () => {
    expect(rankNodes([node("self", { capacity: 1 })], new Map([["self", 1]]), "self", now)).toEqual([]);
  });
});
