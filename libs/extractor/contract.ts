import { Context, Effect, Schema } from "effect";
import type { PeerUnavailable } from "../peers/errors.ts";
import type { ExtractionResult } from "./endpoint.ts";

/** What `POST /internal/extract` accepts: the project's files (path → UTF-8 text) and, optionally, its entry. */
export const ExtractBody = Schema.Struct({
  files: Schema.Record(Schema.String, Schema.String),
  entry: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(300))),
});
export type ExtractBody = typeof ExtractBody.Type;

export interface ExtractOptions {
  /** A .py path of the project or `module:attr`; without it the extractor finds the app itself. */
  readonly entry?: string;
}

/** Lists a project's endpoints without running it. Layers: in-process, or the extractor service over HTTP. */
export class EndpointExtractor extends Context.Service<EndpointExtractor, {
  readonly extract: (files: Readonly<Record<string, string>>, options: ExtractOptions) => Effect.Effect<ExtractionResult, PeerUnavailable>;
}>()("platform/EndpointExtractor") {}
