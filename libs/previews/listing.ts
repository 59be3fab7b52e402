import { Context, type Effect } from "effect";
import type { InvalidRequest } from "../http/request-errors.ts";
import type * as views from "../api/views.ts";
import type { PreviewStatus } from "./contract.ts";

/** One of the caller's previews in `GET /api/previews`: its status view, and whose generation. */
export type PreviewSummary = typeof views.PreviewSummary.Type;
export type PreviewPage = typeof views.PreviewPage.Type;

/** `live`: launching or running; `ended`: every other status. */
export const previewListFilters = ["live", "ended"] as const;
export type PreviewListFilter = (typeof previewListFilters)[number];

export interface PreviewListQuery {
  readonly limit: number;
  readonly cursor?: string;
  readonly status?: PreviewListFilter | PreviewStatus;
}

export const previewListLimits = { default: 20, max: 100 } as const;

/** The caller's previews, live and ended, newest first, a page at a time. */
export class PreviewListing extends Context.Service<PreviewListing, {
  readonly list: (userId: string, query: PreviewListQuery) => Effect.Effect<PreviewPage, InvalidRequest>;
}>()("platform/PreviewListing") {}
