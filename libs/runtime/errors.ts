import { Data } from "effect";

/** The runtime cannot start previews at all on this machine (e.g. no usable Python). */
export class RuntimeUnavailable extends Data.TaggedError("RuntimeUnavailable")<{
  readonly message: string;
}> {}

/** The project cannot be started as given (e.g. no FastAPI entry found). */
export class EntryNotFound extends Data.TaggedError("EntryNotFound")<{
  readonly message: string;
}> {}

/** A project's requirements.txt names packages that could not be installed (offline, not in the index). */
export class RequirementsUnavailable extends Data.TaggedError("RequirementsUnavailable")<{
  readonly message: string;
  readonly packages: ReadonlyArray<string>;
}> {}
