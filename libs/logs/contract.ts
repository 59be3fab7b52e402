import { Context, type Effect, type Scope } from "effect";
import type { LogLevel } from "../logsink/level.ts";
import type { PreviewStatus } from "../previews/contract.ts";
import type { IngestRecord, LogLine } from "./schemas.ts";

/** What one stored batch added to a preview, in the order the sink sent it. */
export type StoredEvent =
  | { readonly _tag: "line"; readonly line: LogLine }
  | { readonly _tag: "status"; readonly status: PreviewStatus };

export interface StoredBatch {
  readonly previewId: string;
  readonly events: ReadonlyArray<StoredEvent>;
}

export interface PreviewLogState {
  /** The last status the orchestrator reported, if any. */
  readonly status: PreviewStatus | null;
}

export interface PageQuery {
  readonly after: number;
  readonly limit: number;
  readonly minLevel?: LogLevel;
}

/** logs.db: every line of every preview, with its id; retention removes the oldest and says so. */
export class LogStore extends Context.Service<LogStore, {
  /** Stores an ingest batch in one transaction; records already stored (by sink seq) are skipped. */
  readonly append: (records: ReadonlyArray<IngestRecord>) => Effect.Effect<ReadonlyArray<StoredBatch>>;
  /** Lines after `after`, oldest first. */
  readonly page: (previewId: string, query: PageQuery) => Effect.Effect<ReadonlyArray<LogLine>>;
  /** The id just before the last `n` retained lines: a replay after it yields those `n` lines. */
  readonly tailStart: (previewId: string, n: number) => Effect.Effect<number>;
  readonly state: (previewId: string) => Effect.Effect<PreviewLogState>;
}>()("logs/LogStore") {}

/** What a subscriber takes from its preview's channel. */
export type FanoutMessage =
  | { readonly _tag: "event"; readonly event: StoredEvent; readonly frame: Uint8Array }
  | { readonly _tag: "ping" }
  | { readonly _tag: "close" };

/** What one `poll` of a subscription gives: the messages published since the previous one, oldest first. */
export interface FanoutBatch {
  /** True when the subscriber fell further behind than the window and lost older messages. */
  readonly lost: boolean;
  readonly messages: ReadonlyArray<FanoutMessage>;
  /**
   * Every message's frame joined in order (pings included), encoded once per batch and shared by
   * every subscriber that polls the same range; what a subscriber with nothing to skip writes.
   */
  readonly joined: () => Uint8Array;
}

/**
 * One client's cursor into its preview's channel. Not an Effect on the hot path: a live line
 * costs each subscriber one synchronous `poll` and one socket write, not a fiber wake-up.
 */
export interface FanoutSubscription {
  /** Takes every message published since the last poll, without waiting; empty when none. */
  readonly poll: () => FanoutBatch;
  /**
   * Registers the one callback told that messages may be waiting: after the publishing effect,
   * at most once per publish (the channel may pace wake-ups under load). It must not throw.
   */
  readonly onMessages: (wake: () => void) => void;
}

export interface FanoutStats {
  readonly previews: number;
  readonly subscribers: number;
  /** Times a subscriber fell behind its bounded buffer and caught up from storage instead. */
  readonly catchUps: number;
}

/**
 * The live side: one channel per preview with subscribers, one subscription per client. A
 * channel holds a bounded window; a subscriber that falls further behind loses the oldest
 * messages (seen as `lost`) and catches up from the store, never slowing the others.
 */
export class LogFanout extends Context.Service<LogFanout, {
  readonly publish: (batch: StoredBatch) => Effect.Effect<void>;
  readonly subscribe: (previewId: string) => Effect.Effect<FanoutSubscription, never, Scope.Scope>;
  readonly noteCatchUp: Effect.Effect<void>;
  /** Previews that have at least one subscriber now (they count as active for idle auto-stop). */
  readonly watched: Effect.Effect<ReadonlyArray<string>>;
  readonly stats: Effect.Effect<FanoutStats>;
  /** Ends every subscription (clients keep their last id and resume elsewhere); for shutdown. */
  readonly closeAll: Effect.Effect<void>;
}>()("logs/LogFanout") {}
