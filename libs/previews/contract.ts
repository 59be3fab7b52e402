import { Context, type Effect, Schema } from "effect";
import type * as views from "../api/views.ts";
import type { Endpoint } from "../extractor/endpoint.ts";
import type { ReviseBody } from "../generations/contract.ts";
import type { GenerationNotFound } from "../generations/errors.ts";
import type { InvalidRequest } from "../http/request-errors.ts";
import type { PreviewFailure } from "./failure.ts";
import type { BootReport } from "../runtime/boot/boot-report.ts";
import type { Upstream } from "../runtime/contract.ts";
import type { EntryNotFound, RuntimeUnavailable } from "../runtime/errors.ts";
import type {
  ExtensionLimitReached, LaunchFailed, PreviewAlreadyRunning, PreviewLimitReached, PreviewNotFound, PreviewNotRunning, ReloadFailed,
} from "./errors.ts";

const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0));

export const LaunchBody = Schema.Struct({
  projectId: Schema.optional(Schema.String),
  entry: Schema.optional(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(300))),
  ttlSeconds: Schema.optional(PositiveInt),
  wait: Schema.optional(Schema.Boolean),
  /** The app's own variables (libs/previews/launch-env.ts checks them); stored for the generation's later launches. */
  env: Schema.optional(Schema.Record(Schema.String, Schema.String)),
});
export type LaunchBody = typeof LaunchBody.Type;

export const ExtendBody = Schema.Struct({
  seconds: Schema.optional(PositiveInt),
});
export type ExtendBody = typeof ExtendBody.Type;

export type PreviewStatus = "launching" | "running" | "failed" | "crashed" | "stopped" | "expired";

export type LaunchView = typeof views.LaunchView.Type;

export type StatusView = typeof views.StatusView.Type;

export type ReloadView = typeof views.ReloadView.Type;

export type StopView = typeof views.StopView.Type;

export type ExtendView = typeof views.ExtendView.Type;

export type ConfigView = typeof views.ConfigView.Type;

/** What peers (the gateway, the logs service) need to know of one preview. */
export interface PreviewRoute {
  readonly previewInstanceId: string;
  readonly generationId: string;
  readonly userId: string;
  readonly status: PreviewStatus;
  /** Where it answers while live; null once it has ended. */
  readonly upstream: Upstream | null;
  /** sha256 (hex) of the preview token handed out at launch. */
  readonly previewTokenHash: string;
  /**
   * The runner node that runs it and where that node's internal routes answer (its `nodes` row's
   * url; "" when it takes no requests from other nodes). `upstream` is an address on that node's
   * machine: a gateway elsewhere reaches the preview through the node (libs/proxy/node-relay.ts).
   */
  readonly node?: { readonly id: string; readonly url: string } | null;
}

/** The preview lifecycle: `launching → running → stopped | crashed | expired`, `launching → failed`. */
export class Previews extends Context.Service<Previews, {
  readonly launch: (userId: string, generationId: string, body: LaunchBody) => Effect.Effect<
    LaunchView,
    GenerationNotFound | PreviewAlreadyRunning | PreviewLimitReached | InvalidRequest | EntryNotFound | RuntimeUnavailable | LaunchFailed
  >;
  readonly status: (userId: string, generationId: string) => Effect.Effect<StatusView, GenerationNotFound | PreviewNotFound>;
  readonly stop: (userId: string, generationId: string) => Effect.Effect<StopView, GenerationNotFound | PreviewNotFound>;
  readonly extend: (userId: string, generationId: string, body: ExtendBody) => Effect.Effect<
    ExtendView,
    GenerationNotFound | PreviewNotFound | PreviewNotRunning | ExtensionLimitReached | InvalidRequest
  >;
  readonly config: Effect.Effect<ConfigView>;
  /** Switches the running preview to a new version of the generation's files, in place. */
  readonly reload: (userId: string, generationId: string, body: ReviseBody) => Effect.Effect<
    ReloadView,
    GenerationNotFound | PreviewNotFound | PreviewNotRunning | InvalidRequest | ReloadFailed
  >;
  /** Records activity (proxied traffic, a log subscriber) so idle auto-stop waits. False if not live. */
  readonly touch: (previewInstanceId: string) => Effect.Effect<boolean>;
  /** What the boot program reported of a live preview (its real route table); undefined when there is none. */
  readonly bootReport: (previewInstanceId: string) => Effect.Effect<BootReport | undefined>;
  /** Internal: a preview by id, whoever owns it (callers check the token or the user). */
  readonly route: (previewInstanceId: string) => Effect.Effect<PreviewRoute, PreviewNotFound>;
}>()("platform/Previews") {}
