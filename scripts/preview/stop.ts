import { parseArgs } from "node:util";
import type { PreviewSummary } from "../../libs/previews/listing.ts";
import { apiFailure, type CliContext, CliError, exitCodes } from "./cli-context.ts";
import { allPreviews, isLive, resolvePreview } from "./resolve-preview.ts";

interface Stopped {
  readonly previewInstanceId: string;
  readonly generationId: string;
  readonly status: string;
  readonly message: string;
}

const stopOne = async (ctx: CliContext, preview: PreviewSummary): Promise<Stopped> => {
  const ids = { previewInstanceId: preview.previewInstanceId, generationId: preview.generationId };
  // The API stops a generation's latest preview: an older, ended one of the same generation is left alone.
  if (!isLive(preview)) return { ...ids, status: preview.status, message: `already ${preview.status}` };
  const res = await ctx.client.stop(preview.generationId);
  if (!res.ok) throw apiFailure(`stopping preview ${preview.previewInstanceId} failed`, res.error);
  return { ...ids, status: res.value.status, message: res.value.message };
};

export const stop = async (ctx: CliContext, argv: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: "boolean", default: false } } });
  const [target, ...extra] = positionals;
  if (target === undefined) throw new CliError("stop needs a preview id, a generation id or `all` (see `stop --help`)", exitCodes.usage);
  if (extra.length > 0) throw new CliError(`stop takes one id, not ${positionals.length}: ${positionals.join(" ")}`, exitCodes.usage);
  const previews = target === "all" ? await allPreviews(ctx.client, "live") : [await resolvePreview(ctx.client, target)];
  const results: Stopped[] = [];
  for (const preview of previews) results.push(await stopOne(ctx, preview));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else if (results.length === 0) {
    process.stdout.write("No live previews to stop.\n");
  } else {
    for (const r of results) process.stdout.write(`${r.previewInstanceId} (generation ${r.generationId}): ${r.message}\n`);
  }
  return exitCodes.ok;
};
