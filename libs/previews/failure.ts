import { Schema } from "effect";

export const FailureKinds = [
  "syntax_error", "import_error", "missing_module", "missing_setting", "bad_entry", "port", "timeout", "oom", "exited",
] as const;
export type FailureKind = (typeof FailureKinds)[number];

/** One frame of the traceback behind a failure; `user` frames are the project's own files (paths relative to it). */
export const FailureFrame = Schema.Struct({
  file: Schema.String,
  line: Schema.NullOr(Schema.Number),
  name: Schema.String,
  sourceLine: Schema.String,
  user: Schema.Boolean,
});
export type FailureFrame = typeof FailureFrame.Type;

/**
 * Why a preview failed or crashed, machine-readable (a generator can feed it back to its model):
 * `file` and `line` are the project's (relative), `requirement` the requirements.txt line involved.
 */
export const PreviewFailure = Schema.Struct({
  kind: Schema.Literals(FailureKinds),
  message: Schema.String,
  file: Schema.optionalKey(Schema.String),
  line: Schema.optionalKey(Schema.Number),
  sourceLine: Schema.optionalKey(Schema.String),
  requirement: Schema.optionalKey(Schema.String),
  hint: Schema.optionalKey(Schema.String),
  /** The missing module (missing_module) or settings (missing_setting). */
  module: Schema.optionalKey(Schema.String),
  settings: Schema.optionalKey(Schema.Array(Schema.String)),
  frames: Schema.optionalKey(Schema.Array(FailureFrame)),
});
export type PreviewFailure = typeof PreviewFailure.Type;
