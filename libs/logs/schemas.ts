import { Schema } from "effect";
import type { LogLevel } from "../logsink/level.ts";
import type { LogSource } from "../logsink/contract.ts";
import type { PreviewStatus } from "../previews/contract.ts";

export const logLevels = ["DEBUG", "INFO", "WARN", "ERROR"] as const satisfies ReadonlyArray<LogLevel>;
export const logSources = ["stdout", "stderr", "system"] as const satisfies ReadonlyArray<LogSource>;
export const previewStatuses = ["launching", "running", "failed", "crashed", "stopped", "expired"] as const satisfies ReadonlyArray<PreviewStatus>;

/** A stored line as the public API shows it (api.md `LogLine`); `id` is per preview, strictly increasing, never reused. */
export interface LogLine {
  readonly id: number;
  readonly timestamp: string;
  readonly level: LogLevel;
  readonly source: LogSource;
  readonly message: string;
}

/** The statuses after which a preview prints nothing more. */
export const isFinalStatus = (status: PreviewStatus): boolean =>
  status !== "launching" && status !== "running";

export const levelRank = (level: LogLevel): number => logLevels.indexOf(level);

const PreviewId = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(64));
/** The sink's own per-preview counter: lets the service drop a batch it already stored (a retried POST). */
const Seq = Schema.Int.check(Schema.isGreaterThan(0));

export const LineRecord = Schema.Struct({
  type: Schema.Literal("line"),
  previewId: PreviewId,
  seq: Seq,
  timestamp: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(40)),
  level: Schema.Literals(logLevels),
  source: Schema.Literals(logSources),
  message: Schema.String,
});

export const StatusRecord = Schema.Struct({
  type: Schema.Literal("status"),
  previewId: PreviewId,
  seq: Seq,
  status: Schema.Literals(previewStatuses),
});

/** One NDJSON line of an ingest batch (`POST /internal/logs`). */
export const IngestRecord = Schema.Union([LineRecord, StatusRecord]);
export type IngestRecord = typeof IngestRecord.Type;
export type LineRecord = typeof LineRecord.Type;
