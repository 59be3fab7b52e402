import { parseArgs } from "node:util";
import { openFetchEventSource } from "../../libs/client/fetch-event-source.ts";
import { PreviewLogStream } from "../../libs/client/log-stream.ts";
import type { LogLine } from "../../libs/logs/schemas.ts";
import { apiFailure, type CliContext, CliError, exitCodes } from "./cli-context.ts";
import type { Interrupt } from "./interrupt.ts";
import { resolvePreview } from "./resolve-preview.ts";

const pageSize = 1000;
/** History read without -f: at most this many pages (the logs service keeps far fewer lines per preview). */
const maxPages = 200;

export const logs = async (ctx: CliContext, argv: string[], interrupt: Interrupt): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { follow: { type: "boolean", short: "f", default: false }, tail: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const [id, ...extra] = positionals;
  if (id === undefined) throw new CliError("logs needs a preview id or a generation id (see `logs --help`)", exitCodes.usage);
  if (extra.length > 0) throw new CliError(`logs takes one id, not ${positionals.length}: ${positionals.join(" ")}`, exitCodes.usage);
  const tail = values.tail === undefined ? undefined : Number(values.tail);
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new CliError(`--tail must be a whole number, not "${values.tail}"`, exitCodes.usage);

  const preview = await resolvePreview(ctx.client, id);
  const print = (line: LogLine) => (values.json ? process.stdout.write(`${JSON.stringify(line)}\n`) : ctx.term.logLine(line));

  if (values.follow) {
    return await new Promise<number>((resolve, reject) => {
      const stream = new PreviewLogStream({
        client: ctx.client,
        generationId: preview.generationId,
        open: (url) => openFetchEventSource(url),
        ...(tail === undefined ? {} : { tail }),
        onLine: print,
        onError: (error) => reject(apiFailure(`following the logs of ${preview.previewInstanceId} failed`, error)),
        onState: (state) => {
          if (state === "ended") resolve(exitCodes.ok);
        },
      });
      // Ctrl-C ends the tail; the preview keeps running.
      interrupt.onInterrupt(async () => {
        stream.close();
        return exitCodes.ok;
      });
      void stream.start();
    });
  }

  const lines: LogLine[] = [];
  for (let page = 0, after = 0; page < maxPages; page++) {
    const res = await ctx.client.logs(preview.generationId, { after, limit: pageSize });
    if (!res.ok) throw apiFailure(`reading the logs of ${preview.previewInstanceId} failed`, res.error);
    lines.push(...res.value.logs);
    if (res.value.logs.length < pageSize || res.value.nextAfter === null) break;
    after = res.value.nextAfter;
  }
  for (const line of tail === undefined ? lines : lines.slice(Math.max(0, lines.length - tail))) print(line);
  return exitCodes.ok;
};
