import { Schema } from "effect";
import { compareText } from "./diagnostics.ts";

export const HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"] as const;

export const EndpointMethod = Schema.Literals([...HttpMethods, "WEBSOCKET"]);
export type EndpointMethod = typeof EndpointMethod.Type;

export const Param = Schema.Struct({
  name: Schema.String,
  type: Schema.optionalKey(Schema.String),
});
export type Param = typeof Param.Type;

export const RequestBody = Schema.Struct({
  model: Schema.String,
  fields: Schema.optionalKey(Schema.Array(Param)),
});
export type RequestBody = typeof RequestBody.Type;

export const SourceLocation = Schema.Struct({
  file: Schema.String,
  line: Schema.Number,
});
export type SourceLocation = typeof SourceLocation.Type;

export const Endpoint = Schema.Struct({
  method: EndpointMethod,
  path: Schema.String,
  name: Schema.String,
  summary: Schema.optionalKey(Schema.String),
  description: Schema.optionalKey(Schema.String),
  tags: Schema.Array(Schema.String),
  pathParams: Schema.Array(Param),
  queryParams: Schema.Array(Param),
  requestBody: Schema.optionalKey(RequestBody),
  responseModel: Schema.optionalKey(Schema.String),
  statusCode: Schema.optionalKey(Schema.Number),
  deprecated: Schema.optionalKey(Schema.Boolean),
  // Static extraction always sets it; only a route that the live OpenAPI lists and the static
  // analysis could not resolve (a computed path) has none.
  source: Schema.optionalKey(SourceLocation),
});
export type Endpoint = typeof Endpoint.Type;

/** A route path as OpenAPI writes it: `{name}` where the route says `{name:converter}`. */
export const openApiPath = (path: string): string => path.replace(/\{([^}:]+):[^}]*\}/g, "{$1}");

/** The order endpoints are listed in: by path, then by method. */
export const compareEndpoints = (a: Pick<Endpoint, "path" | "method">, b: Pick<Endpoint, "path" | "method">): number =>
  compareText(a.path, b.path) || compareText(a.method, b.method);

export const Diagnostic = Schema.Struct({
  file: Schema.String,
  line: Schema.Number,
  severity: Schema.Literals(["info", "warning", "error"]),
  code: Schema.String,
  message: Schema.String,
});
export type Diagnostic = typeof Diagnostic.Type;

export const ExtractionResult = Schema.Struct({
  endpoints: Schema.Array(Endpoint),
  diagnostics: Schema.Array(Diagnostic),
});
export type ExtractionResult = typeof ExtractionResult.Type;
