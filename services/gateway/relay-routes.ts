import type { Redacted } from "effect";
import type { PreviewRoute } from "../../libs/previews/contract.ts";
import type { ProxyUpstream } from "../../libs/proxy/node-relay.ts";

/** A preview's route as this gateway reaches it: its own address, or its node's proxy. */
export interface ProxyRoute extends Omit<PreviewRoute, "upstream"> {
  readonly upstream: ProxyUpstream | null;
}

/** The runner node this gateway runs beside (GATEWAY_NODE_ID), whose previews' addresses it can reach. */
export interface GatewayPlacement {
  readonly node: string;
  readonly internalToken: Redacted.Redacted<string>;
}

/**
 * Without a node of its own (one machine: GATEWAY_NODE_ID unset) the gateway reaches every preview
 * at its address. With one, a preview on another node (with a url) goes through that node's
 * internal proxy; one on its own node, or on a node with no url, is reached directly (no hop).
 */
export const routeResolver = (placement: GatewayPlacement | undefined) => (route: PreviewRoute): ProxyRoute => {
  const node = route.node;
  if (placement === undefined || route.upstream === null || node == null || node.id === placement.node || node.url === "") return route;
  return { ...route, upstream: { kind: "node", url: node.url, previewInstanceId: route.previewInstanceId, internalToken: placement.internalToken } };
};
