import { Effect, Schema, SchemaIssue } from "effect";
import { InvalidRequest, PayloadTooLarge } from "./request-errors.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

const readCapped = (request: Request, limitBytes: number) =>
  Effect.tryPromise({
    try: async () => {
      const reader = request.body?.getReader();
      if (reader === undefined) return new Uint8Array();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limitBytes) {
          await reader.cancel();
          throw new PayloadTooLarge({ limitBytes });
        }
        chunks.push(value);
      }
      return Buffer.concat(chunks);
    },
    catch: (e) => (e instanceof PayloadTooLarge ? e : new InvalidRequest({ message: "The request body could not be read" })),
  });

/** Reads the body as strict UTF-8, up to `limitBytes` (counting as it streams, so an oversized body is never held whole). */
export const readUtf8Body = (request: Request, limitBytes: number) =>
  Effect.flatMap(readCapped(request, limitBytes), (bytes) =>
    Effect.try({
      try: () => strictUtf8.decode(bytes),
      catch: () => new InvalidRequest({ message: "The request body is not valid UTF-8" }),
    }));

const issueFormatter = SchemaIssue.makeFormatterStandardSchemaV1();

/** A schema failure as a 400 whose details name each offending field; `subject` opens the message. */
export const schemaFailure = (issue: SchemaIssue.Issue, subject = "Invalid request body"): InvalidRequest => {
  const issues = issueFormatter(issue).issues.map((i) => ({
    field: (i.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join("."),
    problem: i.message,
  }));
  const first = issues[0];
  const where = first === undefined ? "" : first.field === "" ? ": " + first.problem : ` at "${first.field}": ${first.problem}`;
  return new InvalidRequest({ message: subject + where, details: { issues } });
};

/**
 * Decodes a JSON body against a schema: strict UTF-8, size-capped, unknown fields rejected
 * (api.md: "Unknown JSON fields are rejected (400), not silently dropped").
 */
export const decodeJsonBody = <S extends Schema.Top & { readonly DecodingServices: never }>(request: Request, schema: S, limitBytes: number) =>
  Effect.gen(function* () {
    const text = yield* readUtf8Body(request, limitBytes);
    const json = yield* Effect.try({
      try: (): unknown => (text.trim() === "" ? {} : JSON.parse(text)),
      catch: (e) => new InvalidRequest({ message: `The request body is not valid JSON: ${(e as Error).message}` }),
    });
    return yield* Schema.decodeUnknownEffect(schema)(json, { errors: "all", onExcessProperty: "error" }).pipe(
      Effect.mapError((e) => schemaFailure(e.issue)),
    );
  });
