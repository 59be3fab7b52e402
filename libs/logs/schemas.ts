import { Schema } from "effect";
import type { LogLevel } from "../logsink/level.ts";
import type { LogLineInput } from "../logsink/contract.ts";
import { logLevels, logSources, previewStatuses } from "./statuses.ts";

export { isFinalStatus, logLevels, logSources, previewStatuses } from "./statuses.ts";

/** A stored line as the public API shows it (api.md `LogLine`); `id` is per preview, strictly increasing, never reused. */
export interface LogLine extends LogLineInput {
  readonly id: number;
}

export const levelRank = (level: LogLevel): number => logLevels.indexOf(level);

const PreviewId = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(64));
/** The sink's own per-preview counter: lets the service drop a batch it already stored (a retried POST). */
const Seq = Schema.Int.check(Schema.isGreaterThan(0));

const LineRecord = Schema.Struct({
  type: Schema.Literal("line"),
  previewId: PreviewId,
  seq: Seq,
  timestamp: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(40)),
  level: Schema.Literals(logLevels),
  source: Schema.Literals(logSources),
  message: Schema.String,
});

const StatusRecord = Schema.Struct({
  type: Schema.Literal("status"),
  previewId: PreviewId,
  seq: Seq,
  status: Schema.Literals(previewStatuses),
});

/** One NDJSON line of an ingest batch (`POST /internal/logs`). */
export const IngestRecord = Schema.Union([LineRecord, StatusRecord]);
export type IngestRecord = typeof IngestRecord.Type;
