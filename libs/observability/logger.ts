/** Structured logs of our own: one JSON object per line on stdout, so they can be shipped as-is. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** One served request: the access log line every service writes. */
export interface AccessLine {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
}

export interface Logger {
  readonly log: (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;
  readonly info: (msg: string, fields?: Record<string, unknown>) => void;
  readonly warn: (msg: string, fields?: Record<string, unknown>) => void;
  readonly error: (msg: string, fields?: Record<string, unknown>) => void;
  /** An access log line: `info` with msg "request" and the line's fields. */
  readonly request: (line: AccessLine) => void;
}

/**
 * The gateway writes a line per proxied request, so a line is built by concatenation rather than
 * by stringifying a merged object (an access line stringifies only its strings), and the
 * timestamp is formatted once per millisecond. Fields come after the fixed keys; a field named
 * like one of them wins, as a JSON parser takes the last.
 */
export const makeLogger = (service: string, write: (line: string) => void = (l) => process.stdout.write(l)): Logger => {
  const serviceJson = JSON.stringify(service);
  let stampedAt = 0;
  let stamp = "";
  const time = () => {
    const now = Date.now();
    if (now !== stampedAt) {
      stampedAt = now;
      stamp = new Date(now).toISOString();
    }
    return stamp;
  };
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    const rest = fields === undefined ? "{}" : JSON.stringify(fields);
    write(`{"time":"${time()}","level":"${level}","service":${serviceJson},"msg":${JSON.stringify(msg)}${rest === "{}" ? "}" : `,${rest.slice(1)}`}\n`);
  };
  const request = (r: AccessLine) =>
    write(`{"time":"${time()}","level":"info","service":${serviceJson},"msg":"request","requestId":${JSON.stringify(r.requestId)},`
      + `"method":${JSON.stringify(r.method)},"path":${JSON.stringify(r.path)},"status":${r.status},"ms":${r.ms}}\n`);
  return {
    log,
    request,
    info: (msg, fields) => log("info", msg, fields),
    warn: (msg, fields) => log("warn", msg, fields),
    error: (msg, fields) => log("error", msg, fields),
  };
};
