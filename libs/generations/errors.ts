import { Data } from "effect";

export class GenerationNotFound extends Data.TaggedError("GenerationNotFound")<{
  readonly generationId: string;
}> {}

/** A user's stored generations would pass their quota: how many, or how many bytes in all. */
export class GenerationQuotaExceeded extends Data.TaggedError("GenerationQuotaExceeded")<{
  readonly quota: "count" | "bytes";
  readonly used: number;
  readonly adding: number;
  readonly max: number;
}> {}
