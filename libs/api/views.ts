// Every public response body as an Effect Schema: the routes table (routes.ts) describes the API
// with them (OpenAPI), the contracts take their types from them, and tests decode real answers
// with them. Importable by the browser client: schemas only, no services.
import { Schema } from "effect";
import { ExtractionResult } from "../extractor/endpoint.ts";
import { logLevels, logSources, previewStatuses } from "../logs/statuses.ts";
import { PreviewFailure } from "../previews/failure.ts";

const Timestamp = Schema.String;
const NullableString = Schema.NullOr(Schema.String);

export const PreviewStatusSchema = Schema.Literals(previewStatuses);

export const GenerationView = Schema.Struct({
  generationId: Schema.String,
  projectId: Schema.String,
  fileCount: Schema.Int,
  bytes: Schema.Int,
  createdAt: Timestamp,
  entry: Schema.optionalKey(Schema.String),
});

export const LaunchView = Schema.Struct({
  status: PreviewStatusSchema,
  previewInstanceId: Schema.String,
  generationId: Schema.String,
  baseUrl: Schema.String,
  previewUrl: Schema.String,
  /** Shown once: only its hash is kept. */
  previewToken: Schema.String,
  expiresAt: Timestamp,
  healthCheckUrl: Schema.String,
});

const statusFields = {
  previewInstanceId: Schema.String,
  status: PreviewStatusSchema,
  baseUrl: Schema.String,
  previewUrl: Schema.String,
  uptime: Schema.NullOr(Schema.Int),
  lastHealthCheck: NullableString,
  healthStatus: Schema.Literals(["unknown", "healthy", "unhealthy"]),
  createdAt: Timestamp,
  startedAt: NullableString,
  stoppedAt: NullableString,
  expiresAt: Timestamp,
  /** Last proxied request or open log subscriber: a live preview idle `autoStopInactiveAfter` seconds (GET .../config) past it is stopped. */
  lastActivityAt: Timestamp,
  exitCode: Schema.NullOr(Schema.Int),
  errorMessage: NullableString,
  /** Why it failed or crashed, structured; null while it runs or when it ended normally. */
  failure: Schema.NullOr(PreviewFailure),
  /** The runner node that runs (or ran) it: ORCHESTRATOR_NODE_ID of that orchestrator process. */
  node: NullableString,
};

export const StatusView = Schema.Struct({
  ...statusFields,
  generatedEndpoints: ExtractionResult.fields.endpoints,
});

/** One of the caller's previews in `GET /api/previews`: its status, and whose generation. */
export const PreviewSummary = Schema.Struct({
  ...statusFields,
  generationId: Schema.String,
  runtime: Schema.String,
});

export const PreviewPage = Schema.Struct({
  /** Newest first. */
  previews: Schema.Array(PreviewSummary),
  /** Pass as `cursor` for the next (older) page; null on the last one. */
  nextCursor: NullableString,
});

/** A live reload that switched the running preview to the new files (same id, URL, token and log). */
export const ReloadView = Schema.Struct({
  previewInstanceId: Schema.String,
  status: Schema.Literal("running"),
  reloadMs: Schema.Finite,
  /** Paths added, changed or removed. */
  changedFiles: Schema.Array(Schema.String),
});

export const StopView = Schema.Struct({
  status: Schema.Literal("stopped"),
  message: Schema.String,
  stoppedAt: Timestamp,
});

export const ExtendView = Schema.Struct({
  expiresAt: Timestamp,
  extensionsRemaining: Schema.Int,
});

export const ConfigView = Schema.Struct({
  previewTimeout: Schema.Int,
  maxInstances: Schema.Int,
  sessionExpiry: Schema.Int,
  autoStopInactiveAfter: Schema.Int,
  maxExtensions: Schema.Int,
  runtime: Schema.String,
  limits: Schema.Struct({ memoryMb: Schema.Int, cpuSeconds: Schema.Int, maxProcesses: Schema.Int, cpuPercent: Schema.Int }),
  /** How each limit is enforced on this host, or that it is not (e.g. no writable cgroups). */
  enforced: Schema.Record(Schema.String, Schema.String),
  /** Sandboxes kept started ahead of demand (size 0: every launch is cold) and how many are ready now. */
  warmPool: Schema.Struct({ size: Schema.Int, ready: Schema.Int }),
});

/** Route 4's answer: a generation's endpoints, from its running preview (`live`) or its source (`static`). */
export const EndpointsView = Schema.Struct({
  ...ExtractionResult.fields,
  source: Schema.Literals(["static", "live"]),
});

export const PreviewRequestResult = Schema.Struct({
  statusCode: Schema.Int,
  headers: Schema.Record(Schema.String, Schema.String),
  data: Schema.Unknown,
  /** Present when `data` is base64 because the response was binary. */
  encoding: Schema.optionalKey(Schema.Literal("base64")),
  durationMs: Schema.Finite,
  /** The answer was longer than the gateway's cap (GATEWAY_MAX_REQUEST_ANSWER_BYTES): `data` is its beginning. */
  truncated: Schema.optionalKey(Schema.Literal(true)),
});

/** A stored line as the public API shows it; `id` is per preview, strictly increasing, never reused. */
export const LogLineView = Schema.Struct({
  id: Schema.Int,
  timestamp: Timestamp,
  level: Schema.Literals(logLevels),
  source: Schema.Literals(logSources),
  message: Schema.String,
});

export const LogsPage = Schema.Struct({
  previewInstanceId: Schema.String,
  logs: Schema.Array(LogLineView),
  /** Pass as `after` for the next page. */
  nextAfter: Schema.NullOr(Schema.Int),
});

export const LogsToken = Schema.Struct({
  token: Schema.String,
  expiresAt: Timestamp,
});

/** Local mode only (`npm start`): the page's sign-in as the user `local`. */
export const DevToken = Schema.Struct({ token: Schema.String, userId: Schema.String, expiresAt: Timestamp });

export const Health = Schema.Struct({ ok: Schema.Literal(true), service: Schema.String });

/** The one error envelope (libs/http/error-envelope.ts builds it). */
export const ErrorEnvelope = Schema.Struct({
  error: Schema.Struct({
    code: Schema.String,
    message: Schema.String,
    requestId: Schema.String,
    details: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
  }),
});
