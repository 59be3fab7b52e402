// What one route of the public API declares, and the types derived from a declaration: its path
// parameters, its query, its request body and its success answer. libs/api/routes.ts holds the
// declarations; the services decode with them, the OpenAPI document and the client derive from them.
import type { Schema } from "effect";
import type { ApiErrorCode } from "../http/error-codes.ts";

export interface SuccessResponse {
  readonly description: string;
  /** A JSON body's schema; absent for other media types. */
  readonly schema?: Schema.Top;
  /** Media types other than JSON (streams, downloads, pages). */
  readonly mediaTypes?: ReadonlyArray<string>;
}

/**
 * Query parameters: a Struct of optional fields whose Type side says the value (an Int with its
 * range, a set of words, a string), each annotated with its description. The services decode the
 * query string with it (libs/http/query.ts), the OpenAPI document lists one parameter per field.
 */
export type QuerySchema = Schema.Struct<Schema.Struct.Fields> & { readonly DecodingServices: never };

export interface ApiRoute {
  readonly method: "get" | "post" | "delete";
  /** OpenAPI form: `{generationId}`. */
  readonly path: string;
  /** The service whose app serves it (the gateway forwards /api/* to it). */
  readonly service: "orchestrator" | "logs" | "gateway";
  readonly summary: string;
  /** `user`: a user JWT (Bearer); `user-or-stream-token`: or the log stream's query token; `none`: public. */
  readonly auth: "user" | "user-or-stream-token" | "none";
  readonly query?: QuerySchema;
  readonly body?: Schema.Top;
  readonly responses: Readonly<Record<number, SuccessResponse>>;
  /** Every error code the route answers with (401 and, with a body or query, 400 included). */
  readonly errors: ReadonlyArray<ApiErrorCode>;
  /** Not a method of the typed client (an alias, or a route a browser follows rather than calls). */
  readonly notInClient?: true;
}

/** Declares a route, keeping its literal path and its schemas' types for what derives from it. */
export const route = <const R extends ApiRoute>(declared: R): R => declared;

/** `"/a/{x}/b/{y}"` → `["x", "y"]`. */
export type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? [Name, ...PathParamNames<Rest>] : [];

type Strings<T extends ReadonlyArray<unknown>> = { [K in keyof T]: string };

/** One string argument per path parameter, in the path's order. */
export type PathArgs<P extends string> = Strings<PathParamNames<P>>;

/** The body a caller sends (the schema's encoded side: what goes on the wire). */
export type BodyOf<R extends ApiRoute> = R["body"] extends Schema.Top ? R["body"]["Encoded"] : never;

/** The query a caller gives, as values (numbers as numbers); the client writes them as strings. */
export type QueryOf<R extends ApiRoute> = R["query"] extends QuerySchema ? R["query"]["Type"] : never;

/** What a success answers: the union of the route's JSON success schemas' types. */
export type SuccessOf<R extends ApiRoute> = {
  [S in keyof R["responses"]]: R["responses"][S] extends { readonly schema: Schema.Top } ? R["responses"][S]["schema"]["Type"] : never
}[keyof R["responses"]];

/** Whether every field of an object type is optional (then its argument may be left out). */
export type AllOptional<T> = {} extends T ? true : false;
