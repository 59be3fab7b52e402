// No runtime imports: the browser client uses these, and must not pull in effect.
import type { LogLevel } from "../logsink/level.ts";
import type { LogSource } from "../logsink/contract.ts";
import type { PreviewStatus } from "../previews/contract.ts";

export const logLevels = ["DEBUG", "INFO", "WARN", "ERROR"] as const satisfies ReadonlyArray<LogLevel>;
export const logSources = ["stdout", "stderr", "system"] as const satisfies ReadonlyArray<LogSource>;
export const previewStatuses = ["launching", "running", "failed", "crashed", "stopped", "expired"] as const satisfies ReadonlyArray<PreviewStatus>;

/** The statuses after which a preview prints nothing more. */
export const isFinalStatus = (status: PreviewStatus): boolean =>
  status !== "launching" && status !== "running";
