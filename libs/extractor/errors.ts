import { Data } from "effect";

/** The extractor service did not answer as its contract says (down, timed out, or a body we cannot read). */
export class ExtractorUnavailable extends Data.TaggedError("ExtractorUnavailable")<{
  readonly reason: string;
}> {}
