import { Context, Effect, Schema } from "effect";
import type { PeerUnavailable } from "../peers/errors.ts";
import type { ExtractionResult } from "./endpoint.ts";

/** What `POST /internal/extract` accepts: the project's files (path → UTF-8 text) and, optionally, its entry. */
export const ExtractBody = Schema.Struct({
  files: Schema.Record(Schema.String, Schema.String),
  entry: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(300))),
  /** Absolute directories of installed packages (site-packages) the extractor follows imports into, read only. */
  libraries: Schema.optionalKey(Schema.Array(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(4096))).check(Schema.isMaxLength(16))),
  /** The environment the preview runs with (its launch `env`): settings read from it decide routes. Never logged. */
  env: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
});
export type ExtractBody = typeof ExtractBody.Type;

export interface ExtractOptions {
  /** A .py path of the project or `module:attr`; without it the extractor finds the app itself. */
  readonly entry?: string;
  /** Absolute site-packages directories of the preview's runtime, first match wins; imports leaving the project are followed into them. */
  readonly libraries?: ReadonlyArray<string>;
  /** The environment the preview runs with; unset variables read as the defaults the code names. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Lists a project's endpoints without running it. Layers: in-process, or the extractor service over HTTP. */
export class EndpointExtractor extends Context.Service<EndpointExtractor, {
  readonly extract: (files: Readonly<Record<string, string>>, options: ExtractOptions) => Effect.Effect<ExtractionResult, PeerUnavailable>;
  /**
   * The same answer as `extract`, as its JSON text, from a layer that holds it as text (a worker's
   * answer): the extractor service sends it on without a parse and a stringify.
   */
  readonly extractJson?: (files: Readonly<Record<string, string>>, options: ExtractOptions) => Effect.Effect<string, PeerUnavailable>;
}>()("platform/EndpointExtractor") {}
