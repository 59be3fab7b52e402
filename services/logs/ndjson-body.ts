import { Effect, Result, Schema } from "effect";
import { schemaFailure } from "../../libs/http/json-body.ts";
import { InvalidRequest, PayloadTooLarge } from "../../libs/http/request-errors.ts";
import { IngestRecord } from "../../libs/logs/schemas.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const decodeRecord = Schema.decodeUnknownResult(IngestRecord);

const readCapped = (request: Request, limitBytes: number) =>
  Effect.tryPromise({
    try: async () => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of request.body ?? []) {
        size += chunk.byteLength;
        if (size > limitBytes) throw new PayloadTooLarge({ limitBytes });
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    },
    catch: (e) => (e instanceof PayloadTooLarge ? e : new InvalidRequest({ message: "The request body could not be read" })),
  });

/** Decodes an NDJSON ingest batch; a bad record is a 400 naming its line and field, and nothing is stored. */
export const decodeIngestBody = (request: Request, limitBytes: number) =>
  Effect.gen(function* () {
    const bytes = yield* readCapped(request, limitBytes);
    const text = yield* Effect.try({
      try: () => strictUtf8.decode(bytes),
      catch: () => new InvalidRequest({ message: "The request body is not valid UTF-8" }),
    });
    const records: IngestRecord[] = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i] ?? "";
      if (raw.trim() === "") continue;
      const where = { line: i + 1 };
      const json = yield* Effect.try({
        try: (): unknown => JSON.parse(raw),
        catch: (e) => new InvalidRequest({ message: `Line ${i + 1} is not valid JSON: ${(e as Error).message}`, details: where }),
      });
      const decoded = decodeRecord(json, { errors: "all", onExcessProperty: "error" });
      if (Result.isFailure(decoded)) {
        const issue = schemaFailure(decoded.failure.issue);
        return yield* Effect.fail(new InvalidRequest({
          message: `Line ${i + 1}: ${issue.message.replace(/^Invalid request body/, "invalid record")}`,
          details: { ...where, ...issue.details },
        }));
      }
      records.push(decoded.success);
    }
    return records;
  });
