import { Context, type Effect, Schema } from "effect";
import type * as views from "../api/views.ts";
import type { InvalidRequest } from "../http/request-errors.ts";
import type { AppEntry } from "../runtime/entry.ts";
import type { GenerationNotFound, GenerationQuotaExceeded } from "./errors.ts";

export const CreateGenerationBody = Schema.Struct({
  projectId: Schema.optional(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200))),
  files: Schema.Record(Schema.String, Schema.String),
});
export type CreateGenerationBody = typeof CreateGenerationBody.Type;

/**
 * A new version of a generation's files: the whole set (`files`), or a change set against the
 * current version (`changes`: a path's new text, or null to delete it). Exactly one of the two.
 */
export const ReviseBody = Schema.Struct({
  files: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  changes: Schema.optional(Schema.Record(Schema.String, Schema.NullOr(Schema.String))),
});
export type ReviseBody = typeof ReviseBody.Type;

/** A validated new version, written beside the current one, not yet the generation's. */
export interface StagedRevision {
  /** Where its files are (a launch or a reload copies them from here). */
  readonly dir: string;
  /** Paths added, changed or removed against the current version. */
  readonly changed: ReadonlyArray<string>;
  /** Makes it the generation's current version (files, hash, entry). */
  readonly commit: Effect.Effect<GenerationView>;
  /** Forgets it. */
  readonly discard: Effect.Effect<void>;
}

export type GenerationView = typeof views.GenerationView.Type;

/** A stored generation as the orchestrator needs it to launch. */
export interface StoredGeneration {
  readonly generationId: string;
  readonly userId: string;
  readonly dir: string;
  readonly entry: AppEntry | undefined;
  /** sha256 of the files (paths and contents): equal content, equal hash, whatever the generation. */
  readonly contentHash: string;
}

/** Generated projects: stored whole or not at all, visible only to their owner. */
export class Generations extends Context.Service<Generations, {
  readonly create: (userId: string, body: CreateGenerationBody) => Effect.Effect<GenerationView, InvalidRequest | GenerationQuotaExceeded>;
  readonly get: (userId: string, generationId: string) => Effect.Effect<GenerationView, GenerationNotFound>;
  readonly locate: (userId: string, generationId: string) => Effect.Effect<StoredGeneration, GenerationNotFound>;
  /** Validates a new version like an upload and stages it; nothing changes until it is committed. */
  readonly stage: (userId: string, generationId: string, body: ReviseBody) => Effect.Effect<StagedRevision, GenerationNotFound | InvalidRequest>;
}>()("platform/Generations") {}
