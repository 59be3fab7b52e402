import { Effect } from "effect";
import { liveStatuses } from "./db/schema.ts";
import type { OrchestratorStore } from "./store/contract.ts";

/** How long a stop or a live reload relayed to the preview's node may take (a reload waits for the new version). */
const relayTimeoutMs = 120_000;

/** What a user asks of a live preview that only the node running it can do: stop its process, reload it in place. */
export type OwnerAction = { readonly kind: "stop" } | { readonly kind: "reload"; readonly body: unknown };

export const internalPreviewPath = (generationId: string, userId: string, action: OwnerAction["kind"]) =>
  `/internal/generations/${encodeURIComponent(generationId)}/preview${action === "reload" ? "/reload" : ""}?userId=${encodeURIComponent(userId)}`;

/**
 * Sends a stop or reload of a generation's live preview to the node that runs it, when that is
 * another node: its answer as is (status and body). Undefined when this node acts itself: the
 * preview runs here, has ended, or its node is gone from the table (lost or drained, its row is
 * then ended here) or cannot be reached (a stop then ends the row; that node's next sweep stops
 * the process, as for any preview another node ended).
 */
export const relayToOwner = (
  store: OrchestratorStore["Service"],
  self: string,
  internalToken: string,
  userId: string,
  generationId: string,
  action: OwnerAction,
): Effect.Effect<Response | undefined> =>
  Effect.gen(function* () {
    const row = yield* store.previews.latestOfGeneration(generationId);
    if (row === undefined || row.node === null || row.node === self || !(liveStatuses as ReadonlyArray<string>).includes(row.status)) return undefined;
    const owner = (yield* store.nodes.all()).find((n) => n.id === row.node);
    if (owner === undefined || owner.url === "") return undefined;
    return yield* Effect.tryPromise(async (signal) => {
      const res = await fetch(owner.url.replace(/\/+$/, "") + internalPreviewPath(generationId, userId, action.kind), {
        method: action.kind === "stop" ? "DELETE" : "POST",
        headers: { "content-type": "application/json", "x-internal-token": internalToken },
        ...(action.kind === "reload" ? { body: JSON.stringify(action.body) } : {}),
        signal: AbortSignal.any([signal, AbortSignal.timeout(relayTimeoutMs)]),
      });
      return new Response(await res.text(), { status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "application/json" } });
    }).pipe(Effect.orElseSucceed(() => undefined));
  });
