import { Context, type Effect, Schema } from "effect";
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

export interface LaunchView {
  readonly status: PreviewStatus;
  readonly previewInstanceId: string;
  readonly generationId: string;
  readonly baseUrl: string;
  readonly previewUrl: string;
  /** Shown once: only its hash is kept. */
  readonly previewToken: string;
  readonly expiresAt: string;
  readonly healthCheckUrl: string;
}

export interface StatusView {
  readonly previewInstanceId: string;
  readonly status: PreviewStatus;
  readonly baseUrl: string;
  readonly previewUrl: string;
  readonly uptime: number | null;
  readonly lastHealthCheck: string | null;
  readonly healthStatus: "unknown" | "healthy" | "unhealthy";
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly stoppedAt: string | null;
  readonly expiresAt: string;
  readonly exitCode: number | null;
  readonly errorMessage: string | null;
  /** Why it failed or crashed, structured; null while it runs or when it ended normally. */
  readonly failure: PreviewFailure | null;
  readonly generatedEndpoints: ReadonlyArray<Endpoint>;
}

/** A live reload that switched the running preview to the new files (same id, URL, token and log). */
export interface ReloadView {
  readonly previewInstanceId: string;
  readonly status: "running";
  readonly reloadMs: number;
  /** Paths added, changed or removed. */
  readonly changedFiles: ReadonlyArray<string>;
}

export interface StopView {
  readonly status: "stopped";
  readonly message: string;
  readonly stoppedAt: string;
}

export interface ExtendView {
  readonly expiresAt: string;
  readonly extensionsRemaining: number;
}

export interface ConfigView {
  readonly previewTimeout: number;
  readonly maxInstances: number;
  readonly sessionExpiry: number;
  readonly autoStopInactiveAfter: number;
  readonly maxExtensions: number;
  readonly runtime: string;
  readonly limits: { readonly memoryMb: number; readonly cpuSeconds: number; readonly maxProcesses: number; readonly cpuPercent: number };
  /** How each limit is enforced on this host, or that it is not (e.g. no writable cgroups). */
  readonly enforced: Readonly<Record<string, string>>;
  /** Sandboxes kept started ahead of demand (size 0: every launch is cold) and how many are ready now. */
  readonly warmPool: { readonly size: number; readonly ready: number };
}

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
