import { Effect, Result, Schema } from "effect";
import { readUtf8Body, schemaFailure } from "../../libs/http/json-body.ts";
import { InvalidRequest } from "../../libs/http/request-errors.ts";
import { IngestRecord } from "../../libs/logs/schemas.ts";

const decodeRecord = Schema.decodeUnknownResult(IngestRecord);

/** Decodes an NDJSON ingest batch; a bad record is a 400 naming its line and field, and nothing is stored. */
export const decodeIngestBody = (request: Request, limitBytes: number) =>
  Effect.gen(function* () {
    const text = yield* readUtf8Body(request, limitBytes);
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
        const issue = schemaFailure(decoded.failure.issue, "invalid record");
        return yield* Effect.fail(new InvalidRequest({
          message: `Line ${i + 1}: ${issue.message}`,
          details: { ...where, ...issue.details },
        }));
      }
      records.push(decoded.success);
    }
    return records;
  });
