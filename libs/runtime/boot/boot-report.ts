import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { Schema } from "effect";
import { PreviewFailure } from "../../previews/failure.ts";
import { bootReportName } from "./boot-program.ts";

/** One route of the app's real table (`app.routes`, mounts recursed), as preview_boot.py reports it. */
export const LiveRoute = Schema.Struct({
  kind: Schema.Literals(["http", "websocket", "mount"]),
  path: Schema.String,
  name: Schema.String,
  methods: Schema.Array(Schema.String),
  /** include_in_schema=False */
  hidden: Schema.optionalKey(Schema.Boolean),
  /** A FastAPI APIRoute (else a plain Starlette route, which answers HEAD by itself). */
  api: Schema.optionalKey(Schema.Boolean),
  file: Schema.optionalKey(Schema.String),
  line: Schema.optionalKey(Schema.Number),
});
export type LiveRoute = typeof LiveRoute.Type;

export const BootReport = Schema.Struct({
  version: Schema.Literal(1),
  phase: Schema.Literals(["imported", "failed"]),
  app: Schema.optionalKey(Schema.String),
  openapiUrl: Schema.optionalKey(Schema.NullOr(Schema.String)),
  routes: Schema.optionalKey(Schema.Array(LiveRoute)),
  failure: Schema.optionalKey(PreviewFailure),
});
export type BootReport = typeof BootReport.Type;

/** The report is written by code the preview controls: it is read with a bound and checked. */
const maxReportBytes = 4 * 1024 * 1024;
const decode = Schema.decodeUnknownOption(BootReport);

/** The boot program's report in a preview's work dir, or undefined (not written yet, too large, malformed). */
export const readBootReport = (workDir: string): BootReport | undefined => {
  let fd: number;
  try {
    fd = openSync(join(workDir, bootReportName), "r");
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(maxReportBytes + 1);
    let size = 0;
    for (let n = 1; n > 0 && size <= maxReportBytes; size += n) n = readSync(fd, buffer, size, buffer.length - size, null);
    if (size > maxReportBytes) return undefined;
    const parsed = JSON.parse(buffer.subarray(0, size).toString("utf8")) as unknown;
    const report = decode(parsed);
    return report._tag === "Some" ? report.value : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
};
