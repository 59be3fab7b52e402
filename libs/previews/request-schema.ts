import { Schema } from "effect";
import type * as views from "../api/views.ts";

/** Route 5's body: one request for the preview, described as data (the "try it" panel sends these). */
export const PreviewRequestBody = Schema.Struct({
  method: Schema.Literals(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
  path: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(2048)),
  query: Schema.optional(Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Array(Schema.String)]))),
  headers: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  body: Schema.optional(Schema.Unknown),
});
export type PreviewRequestBody = typeof PreviewRequestBody.Type;

export type PreviewRequestResult = typeof views.PreviewRequestResult.Type;
