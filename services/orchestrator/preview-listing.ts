import { Effect, Layer } from "effect";
import type { Origins } from "../../libs/config/origins.ts";
import { InvalidRequest } from "../../libs/http/request-errors.ts";
import { type PreviewListQuery, PreviewListing, type PreviewSummary } from "../../libs/previews/listing.ts";
import { OrchestratorStore } from "./store/contract.ts";
import type { PreviewRow } from "./preview-rows.ts";
import { statusView } from "./preview-views.ts";

/** A page ends after (createdAt, id) of its last row; the cursor carries that pair, opaque to callers. */
const encodeCursor = (row: PreviewRow): string => Buffer.from(JSON.stringify([row.createdAt, row.id])).toString("base64url");

const decodeCursor = (cursor: string): readonly [number, string] | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === "string") {
      return [value[0] as number, value[1]];
    }
  } catch {
    // Not ours: answered below.
  }
  return undefined;
};

export const summaryOf = (origins: Origins, row: PreviewRow, now: number): PreviewSummary => {
  const { generatedEndpoints: _, ...view } = statusView(origins, row, now);
  return { ...view, generationId: row.generationId, runtime: row.runtime };
};

/** GET /api/previews: only ever the caller's rows (the user id is part of every query). */
export const PreviewListingLive = (options: { readonly origins: Origins }) =>
  Layer.effect(PreviewListing, Effect.gen(function* () {
    const store = yield* OrchestratorStore;
    return PreviewListing.of({
      list: (userId, query) => Effect.gen(function* () {
        const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
        if (query.cursor !== undefined && after === undefined) {
          return yield* Effect.fail(new InvalidRequest({ message: "cursor is not one this API handed out (pass nextCursor as it came)", details: { field: "cursor" } }));
        }
        // One row more than asked says whether there is a next page.
        const rows = yield* store.previews.page({
          userId,
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(after === undefined ? {} : { before: after }),
          limit: query.limit + 1,
        });
        const page = rows.slice(0, query.limit);
        const last = page.at(-1);
        const now = Date.now();
        return {
          previews: page.map((row) => summaryOf(options.origins, row, now)),
          nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last) : null,
        };
      }),
    });
  }));
