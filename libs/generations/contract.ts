import { Context, type Effect, Schema } from "effect";
import type { InvalidRequest } from "../http/request-errors.ts";
import type { AppEntry } from "../runtime/entry.ts";
import type { GenerationNotFound, GenerationQuotaExceeded } from "./errors.ts";

export const CreateGenerationBody = Schema.Struct({
  projectId: Schema.optional(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200))),
  files: Schema.Record(Schema.String, Schema.String),
});
export type CreateGenerationBody = typeof CreateGenerationBody.Type;

export interface GenerationView {
  readonly generationId: string;
  readonly projectId: string;
  readonly fileCount: number;
  readonly bytes: number;
  readonly createdAt: string;
  readonly entry?: string;
}

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
}>()("platform/Generations") {}
