import { parseArgs } from "node:util";
import type { PreviewSummary } from "../../libs/previews/listing.ts";
import { apiFailure, type CliContext, CliError, exitCodes } from "./cli-context.ts";
import { allPreviews } from "./resolve-preview.ts";

const age = (iso: string, now: number): string => {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
};

/** Fixed-width columns, the last one (the URL) unpadded. */
const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")).join("\n") + "\n";
};

export const renderPreviews = (previews: ReadonlyArray<PreviewSummary>, now: number): string =>
  table([
    ["PREVIEW", "GENERATION", "STATUS", "CREATED", "URL"],
    ...previews.map((p) => [p.previewInstanceId, p.generationId, p.status, age(p.createdAt, now), p.previewUrl]),
  ]);

export const ls = async (ctx: CliContext, argv: string[]): Promise<number> => {
  const { values } = parseArgs({
    args: argv,
    options: { live: { type: "boolean", default: false }, all: { type: "boolean", default: false }, limit: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new CliError(`--limit must be a whole number from 1 to 100, not "${values.limit}"`, exitCodes.usage);
  const status = values.live ? "live" as const : undefined;
  let previews: PreviewSummary[];
  if (values.all) {
    previews = await allPreviews(ctx.client, status);
  } else {
    const res = await ctx.client.listPreviews({ limit, ...(status === undefined ? {} : { status }) });
    if (!res.ok) throw apiFailure(`listing your previews at ${ctx.apiUrl} failed`, res.error);
    previews = [...res.value.previews];
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(previews, null, 2)}\n`);
  } else if (previews.length === 0) {
    process.stdout.write(values.live ? "No live previews.\n" : "No previews yet. Start one with: npm run preview -- <project dir>\n");
  } else {
    process.stdout.write(renderPreviews(previews, Date.now()));
  }
  return exitCodes.ok;
};
