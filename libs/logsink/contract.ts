import { Context } from "effect";
import type { PreviewStatus } from "../previews/contract.ts";
import type { LogLevel } from "./level.ts";

export type LogSource = "stdout" | "stderr" | "system";

/** One line of a preview's output, or a lifecycle line written by the platform (`system`). */
export interface LogLineInput {
  readonly timestamp: string;
  readonly level: LogLevel;
  readonly source: LogSource;
  readonly message: string;
}

/**
 * Where the orchestrator sends what previews print. `emit` only enqueues: it returns at once,
 * keeps the order of calls and never fails the preview; delivery is the sink's business.
 */
export class LogSink extends Context.Service<LogSink, {
  readonly emit: (previewId: string, lines: ReadonlyArray<LogLineInput>) => void;
  /** A lifecycle status the preview entered (SSE `event: status`); ordered with the lines around it. */
  readonly statusChanged: (previewId: string, status: PreviewStatus) => void;
}>()("platform/LogSink") {}

export const systemLine = (message: string, level: LogLevel = "INFO"): LogLineInput => ({
  timestamp: new Date().toISOString(),
  level,
  source: "system",
  message,
});
