import { Effect, Schema } from "effect";
import type { QuerySchema } from "../api/route.ts";
import { schemaFailure } from "./json-body.ts";
import { InvalidRequest } from "./request-errors.ts";

const codecs = new WeakMap<QuerySchema, Schema.Decoder<unknown>>();

/** The schema read from strings (`"20"` → 20), made once per schema. */
const stringCodecOf = (schema: QuerySchema): Schema.Decoder<unknown> => {
  let codec = codecs.get(schema);
  if (codec === undefined) {
    codec = Schema.toCodecStringTree(schema) as Schema.Decoder<unknown>;
    codecs.set(schema, codec);
  }
  return codec;
};

/**
 * Decodes request parameters (the query string's, or a header's) with the route's declared
 * Schema (libs/api/routes.ts). An empty value counts as absent (a form's empty field); names the
 * route does not declare are left alone. A bad value is a 400 whose message and `details.field`
 * name the parameter (`subject` says what kind it is), with the value and every problem found.
 */
export const decodeParams = <S extends QuerySchema>(schema: S, raw: Readonly<Record<string, string>>, subject = "Invalid query parameter") => {
  const given = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ""));
  return Schema.decodeUnknownEffect(stringCodecOf(schema))(given, { errors: "all" }).pipe(
    Effect.map((value) => value as S["Type"]),
    Effect.mapError((e) => {
      const failure = schemaFailure(e.issue, subject);
      const issues = (failure.details?.issues ?? []) as ReadonlyArray<{ readonly field: string; readonly problem: string }>;
      const field = issues[0]?.field ?? "";
      return new InvalidRequest({
        message: issues[0] === undefined ? subject : `${subject} "${field}": ${issues[0].problem}`,
        details: { field, value: given[field] ?? null, issues },
      });
    }),
  );
};
