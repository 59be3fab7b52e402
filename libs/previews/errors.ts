import { Data } from "effect";
import type { PreviewFailure } from "./failure.ts";

export class PreviewNotFound extends Data.TaggedError("PreviewNotFound")<{
  readonly generationId?: string;
  readonly previewInstanceId?: string;
}> {}

export class PreviewAlreadyRunning extends Data.TaggedError("PreviewAlreadyRunning")<{
  readonly generationId: string;
}> {}

export class PreviewLimitReached extends Data.TaggedError("PreviewLimitReached")<{
  readonly limit: number;
}> {}

export class PreviewNotRunning extends Data.TaggedError("PreviewNotRunning")<{
  readonly previewInstanceId: string;
  readonly status: string;
}> {}

export class ExtensionLimitReached extends Data.TaggedError("ExtensionLimitReached")<{
  readonly maxExtensions: number;
}> {}

/** A live reload whose new version did not start; the previous version still serves. */
export class ReloadFailed extends Data.TaggedError("ReloadFailed")<{
  readonly previewInstanceId: string;
  readonly errorMessage: string;
  /** The boot program's diagnosis of the new version, when it got that far. */
  readonly failure?: PreviewFailure;
}> {}

/** A launch with `wait: true` that ended in `failed` instead of `running`. */
export class LaunchFailed extends Data.TaggedError("LaunchFailed")<{
  readonly previewInstanceId: string;
  readonly exitCode: number | null;
  readonly errorMessage: string;
  readonly failure: PreviewFailure | null;
}> {}
