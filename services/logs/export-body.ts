import { Effect, Option, Stream } from "effect";
import { LogStore } from "../../libs/logs/contract.ts";
import type { LogLine } from "../../libs/logs/schemas.ts";

type ExportFormat = "text" | "ndjson";

const encoder = new TextEncoder();
const pageSize = 1000;

const render = (format: ExportFormat, line: LogLine) =>
  format === "ndjson" ? JSON.stringify(line) + "\n" : `${line.timestamp} ${line.level.padEnd(5)} [${line.source}] ${line.message}\n`;

/** Every retained line of a preview, read from the store a page at a time as the client downloads. */
export const exportBody = (previewId: string, format: ExportFormat) =>
  Effect.gen(function* () {
    const store = yield* LogStore;
    const pages = Stream.paginate(0, (after: number) =>
      store.page(previewId, { after, limit: pageSize }).pipe(Effect.map((lines) => {
        const last = lines.at(-1);
        const chunk = lines.length === 0 ? [] : [encoder.encode(lines.map((l) => render(format, l)).join(""))];
        return [chunk, last !== undefined && lines.length === pageSize ? Option.some(last.id) : Option.none()] as const;
      })));
    return yield* Stream.toReadableStreamEffect(pages);
  });
