import { Data } from "effect";

export class GenerationNotFound extends Data.TaggedError("GenerationNotFound")<{
  readonly generationId: string;
}> {}
