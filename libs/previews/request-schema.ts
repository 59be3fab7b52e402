import { Schema } from "effect";

/** Route 5's body: one request for the preview, described as data (the "try it" panel sends these). */
export const PreviewRequestBody = Schema.Struct({
  method: Schema.Literals(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
  path: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(2048)),
  query: Schema.optional(Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Array(Schema.String)]))),
  headers: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  body: Schema.optional(Schema.Unknown),
});
export type PreviewRequestBody = typeof PreviewRequestBody.Type;

export interface PreviewRequestResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly data: unknown;
  /** Present when `data` is base64 because the response was binary. */
  readonly encoding?: "base64";
  readonly durationMs: number;
  /** The answer was longer than the gateway's cap (GATEWAY_MAX_REQUEST_ANSWER_BYTES): `data` is its beginning. */
  readonly truncated?: true;
}
