import type { ApiError, PreviewClient } from "../../libs/client/api-client.ts";
import { allPreviews } from "./resolve-preview.ts";

/**
 * A launch refused because the user's live previews are at the limit: which ones they are and
 * how to stop one (a user who lost a preview's id has no other way to find it). Nothing for any
 * other refusal, or when the listing itself fails (the refusal is reported either way).
 */
export const limitHint = async (client: PreviewClient, error: ApiError): Promise<string | undefined> => {
  if (error.code !== "preview_limit_reached") return undefined;
  const live = await allPreviews(client, "live").catch(() => undefined);
  if (live === undefined || live.length === 0) return undefined;
  return [
    "  Your live previews:",
    ...live.map((p) => `    ${p.previewInstanceId}  generation ${p.generationId}  ${p.status.padEnd(9)} ${p.previewUrl}`),
    `  Stop one with \`npm run preview -- stop <id>\` (or \`stop all\`), then launch again.`,
  ].join("\n");
};
