import { Context, type Effect } from "effect";
import type { GenerationNotFound } from "../generations/errors.ts";
import type { PeerUnavailable } from "../peers/errors.ts";
import type { PreviewRoute, StatusView } from "./contract.ts";
import type { PreviewNotFound } from "./errors.ts";

/**
 * What a peer of the orchestrator (the gateway, the logs service) may ask about previews.
 * `PeerUnavailable`: the orchestrator did not answer as its contract says (retryable, a 503).
 */
export class PreviewDirectory extends Context.Service<PreviewDirectory, {
  /** A preview by id, whoever owns it. */
  readonly route: (previewInstanceId: string) => Effect.Effect<PreviewRoute, PreviewNotFound | PeerUnavailable>;
  /** The latest preview of a generation, as `userId` may see it (another user's → not found). */
  readonly latestFor: (userId: string, generationId: string) => Effect.Effect<StatusView, GenerationNotFound | PreviewNotFound | PeerUnavailable>;
  /** Reports activity on previews (proxied traffic, log subscribers) so idle auto-stop waits; best effort. */
  readonly touch: (previewInstanceIds: ReadonlyArray<string>) => Effect.Effect<void>;
}>()("platform/PreviewDirectory") {}
