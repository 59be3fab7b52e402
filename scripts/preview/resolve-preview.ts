import type { PreviewClient } from "../../libs/client/api-client.ts";
import type { PreviewSummary } from "../../libs/previews/listing.ts";
import { apiFailure, CliError, exitCodes } from "./cli-context.ts";

/** Pages looked through for an id; past this many previews the id is reported as not found. */
const maxPages = 20;

/** Every one of the caller's previews the listing gives for `status`, page by page (bounded). */
export const allPreviews = async (client: PreviewClient, status?: "live"): Promise<PreviewSummary[]> => {
  const found: PreviewSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await client.listPreviews({ limit: 100, ...(status === undefined ? {} : { status }), ...(cursor === undefined ? {} : { cursor }) });
    if (!res.ok) throw apiFailure("listing your previews failed", res.error);
    found.push(...res.value.previews);
    if (res.value.nextCursor === null) return found;
    cursor = res.value.nextCursor;
  }
  return found;
};

/** The preview an id names: a preview id, or a generation id (its newest preview). */
export const resolvePreview = async (client: PreviewClient, id: string): Promise<PreviewSummary> => {
  const previews = await allPreviews(client);
  // Newest first, so a generation id names its latest preview.
  const found = previews.find((p) => p.previewInstanceId === id) ?? previews.find((p) => p.generationId === id);
  if (found === undefined) {
    throw new CliError(`no preview or generation "${id}" among your previews (\`npm run preview -- ls\` lists them)`, exitCodes.notFound);
  }
  return found;
};

export const isLive = (p: Pick<PreviewSummary, "status">) => p.status === "launching" || p.status === "running";
