import { Context, type Effect } from "effect";
import type { GenerationNotFound } from "../generations/errors.ts";
import type { PreviewStatus } from "../previews/contract.ts";
import type { PreviewNotFound } from "../previews/errors.ts";
import type { PeerUnavailable } from "./errors.ts";

export interface PreviewSummary {
  readonly previewInstanceId: string;
  readonly status: PreviewStatus;
  readonly stoppedAt: string | null;
}

/**
 * What the logs service needs from the orchestrator: which preview a user's generation has now
 * (ownership is checked there: another user's generation is `GenerationNotFound`), and a way to
 * count a log subscriber as activity for idle auto-stop.
 */
export class PreviewDirectory extends Context.Service<PreviewDirectory, {
  readonly latest: (userId: string, generationId: string) => Effect.Effect<PreviewSummary, GenerationNotFound | PreviewNotFound | PeerUnavailable>;
  /** False when the preview is no longer live. */
  readonly touch: (previewInstanceId: string) => Effect.Effect<boolean, PeerUnavailable>;
}>()("logs/PreviewDirectory") {}
