/** Structured logs of our own: one JSON object per line on stdout, so they can be shipped as-is. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  readonly log: (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;
  readonly info: (msg: string, fields?: Record<string, unknown>) => void;
  readonly warn: (msg: string, fields?: Record<string, unknown>) => void;
  readonly error: (msg: string, fields?: Record<string, unknown>) => void;
}

export const makeLogger = (service: string, write: (line: string) => void = (l) => process.stdout.write(l)): Logger => {
  const log = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, service, msg, ...fields }) + "\n");
  return {
    log,
    info: (msg, fields) => log("info", msg, fields),
    warn: (msg, fields) => log("warn", msg, fields),
    error: (msg, fields) => log("error", msg, fields),
  };
};
