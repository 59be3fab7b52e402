// The public API, declared once: each route's method, path, owner, query parameters, request body
// and every response (success bodies and error codes) as Effect Schemas. From this table: the
// services decode query strings (libs/http/query.ts) and bodies with these schemas, the OpenAPI
// document (services/gateway/openapi.ts) is generated, and the typed client (libs/client) derives
// its methods, their arguments and its decoding of answers; test/gateway/api-conformance.test.ts
// holds the served routes and real answers to it. Each key is the client's method name.
import { Schema } from "effect";
import { CreateGenerationBody, ReviseBody } from "../generations/contract.ts";
import type { ApiErrorCode } from "../http/error-codes.ts";
import { logLevels, previewStatuses } from "../logs/statuses.ts";
import { ExtendBody, LaunchBody } from "../previews/contract.ts";
import { previewListFilters, previewListLimits } from "../previews/listing.ts";
import { PreviewRequestBody } from "../previews/request-schema.ts";
import { type ApiRoute, route } from "./route.ts";
import {
  ConfigView, DevToken, EndpointsView, ExtendView, GenerationView, LaunchView, LogsPage, LogsToken, PreviewPage, PreviewRequestResult,
  ReloadView, StatusView, StopView,
} from "./views.ts";

export type { ApiRoute, SuccessResponse } from "./route.ts";

/** A whole number from `minimum` (to `maximum`, else to the largest safe integer). */
const wholeNumber = (minimum: number, maximum = Number.MAX_SAFE_INTEGER) => Schema.Int.check(Schema.isBetween({ minimum, maximum }));
/** An optional query parameter, described. */
const param = <S extends Schema.Top>(schema: S, description: string) => Schema.optionalKey(schema.annotate({ description }));

/** The log history's page size, most and default. */
export const logPageLimits = { default: 100, max: 1000 } as const;
export const logExportFormats = ["text", "ndjson"] as const;

const g = "/api/generations/{generationId}";
const p = `${g}/preview` as const;
const owned: ReadonlyArray<ApiErrorCode> = ["unauthorized", "generation_not_found"];
const ofPreview: ReadonlyArray<ApiErrorCode> = [...owned, "preview_not_found"];

export const api = {
  createGeneration: route({
    method: "post", path: "/api/generations", service: "orchestrator", auth: "user", summary: "Upload a generated project",
    body: CreateGenerationBody,
    responses: { 201: { description: "Stored", schema: GenerationView } },
    errors: ["invalid_request", "unauthorized", "payload_too_large", "generation_quota_exceeded"],
  }),
  listPreviews: route({
    method: "get", path: "/api/previews", service: "orchestrator", auth: "user", summary: "Your previews, live and ended, newest first, a page at a time",
    query: Schema.Struct({
      limit: param(wholeNumber(1, previewListLimits.max).annotate({ default: previewListLimits.default }), "Previews per page"),
      cursor: param(Schema.String, "nextCursor of the previous page"),
      status: param(Schema.Literals([...previewListFilters, ...previewStatuses]), "live (launching or running), ended, or one status"),
    }),
    responses: { 200: { description: "A page of previews", schema: PreviewPage } },
    errors: ["invalid_request", "unauthorized"],
  }),
  getGeneration: route({
    method: "get", path: g, service: "orchestrator", auth: "user", summary: "A generation",
    responses: { 200: { description: "The generation", schema: GenerationView } },
    errors: owned,
  }),
  launch: route({
    method: "post", path: `${p}/launch`, service: "orchestrator", auth: "user", summary: "Launch a preview",
    body: LaunchBody,
    responses: { 200: { description: "Running (wait: true)", schema: LaunchView }, 202: { description: "Launching", schema: LaunchView } },
    errors: ["invalid_request", ...owned, "entry_not_found", "preview_already_running", "preview_limit_reached", "preview_launch_failed", "runtime_unavailable"],
  }),
  status: route({
    method: "get", path: `${p}/status`, service: "orchestrator", auth: "user", summary: "The latest preview's status, whatever its state",
    responses: { 200: { description: "Status", schema: StatusView } },
    errors: ofPreview,
  }),
  stop: route({
    method: "delete", path: p, service: "orchestrator", auth: "user", summary: "Stop the preview (idempotent)",
    responses: { 200: { description: "Stopped", schema: StopView } },
    errors: ofPreview,
  }),
  endpoints: route({
    method: "get", path: `${p}/endpoints`, service: "orchestrator", auth: "user", summary: "The generation's endpoints (static, or live when running)",
    responses: { 200: { description: "Endpoints", schema: EndpointsView } },
    errors: [...owned, "service_unavailable"],
  }),
  generationEndpoints: route({
    method: "get", path: `${g}/endpoints`, service: "orchestrator", auth: "user", summary: "Alias of .../preview/endpoints",
    responses: { 200: { description: "Endpoints", schema: EndpointsView } },
    errors: [...owned, "service_unavailable"],
    notInClient: true,
  }),
  request: route({
    method: "post", path: `${p}/request`, service: "gateway", auth: "user", summary: "Send one request to the running preview (route 5)",
    body: PreviewRequestBody,
    responses: { 200: { description: "The preview's answer, its status inside", schema: PreviewRequestResult } },
    errors: ["invalid_request", ...ofPreview, "preview_not_running", "upstream_unreachable", "upstream_timeout"],
  }),
  config: route({
    method: "get", path: `${p}/config`, service: "orchestrator", auth: "user", summary: "The effective limits",
    responses: { 200: { description: "Limits", schema: ConfigView } },
    errors: owned,
  }),
  reload: route({
    method: "post", path: `${p}/reload`, service: "orchestrator", auth: "user", summary: "Switch the running preview to new files in place (same id, URL, token and log stream)",
    body: ReviseBody,
    responses: { 200: { description: "Reloaded", schema: ReloadView } },
    errors: ["invalid_request", ...ofPreview, "preview_not_running", "payload_too_large", "generation_quota_exceeded", "reload_failed"],
  }),
  extend: route({
    method: "post", path: `${p}/extend`, service: "orchestrator", auth: "user", summary: "Push the expiry out",
    body: ExtendBody,
    responses: { 200: { description: "New expiry", schema: ExtendView } },
    errors: ["invalid_request", ...ofPreview, "preview_not_running", "extension_limit_reached"],
  }),
  logsToken: route({
    method: "post", path: `${p}/logs/token`, service: "logs", auth: "user", summary: "A short-lived token for the log stream (EventSource cannot send headers)",
    responses: { 200: { description: "Token", schema: LogsToken } },
    errors: ofPreview,
  }),
  logs: route({
    method: "get", path: `${p}/logs`, service: "logs", auth: "user", summary: "Log history",
    query: Schema.Struct({
      after: param(wholeNumber(0), "Lines after this id"),
      limit: param(wholeNumber(1, logPageLimits.max).annotate({ default: logPageLimits.default }), "At most this many"),
      level: param(Schema.Literals(logLevels), "This level or higher"),
    }),
    responses: { 200: { description: "Lines", schema: LogsPage } },
    errors: ["invalid_request", ...ofPreview],
  }),
  logsStream: route({
    method: "get", path: `${p}/logs/stream`, service: "logs", auth: "user-or-stream-token", summary: "Live logs (SSE: retry, id, event: log | status, : ping)",
    query: Schema.Struct({
      token: param(Schema.String, "Stream token (POST .../logs/token)"),
      lastEventId: param(wholeNumber(0), "Resume after this id (or the Last-Event-ID header)"),
      tail: param(wholeNumber(0), "Only the last N retained lines (all of them when N is more)"),
    }),
    responses: { 200: { description: "Event stream", mediaTypes: ["text/event-stream"] } },
    errors: ["invalid_request", ...ofPreview],
    notInClient: true,
  }),
  logsExport: route({
    method: "get", path: `${p}/logs/export`, service: "logs", auth: "user", summary: "Download the logs",
    query: Schema.Struct({
      format: param(Schema.Literals(logExportFormats).annotate({ default: "text" }), "text or ndjson"),
    }),
    responses: { 200: { description: "The logs", mediaTypes: ["text/plain", "application/x-ndjson"] } },
    errors: ["invalid_request", ...ofPreview],
    notInClient: true,
  }),
  openApi: route({
    method: "get", path: "/api/openapi.json", service: "gateway", auth: "none", summary: "This document",
    responses: { 200: { description: "OpenAPI 3.1", mediaTypes: ["application/json"] } },
    errors: [],
    notInClient: true,
  }),
  devToken: route({
    method: "post", path: "/api/dev/token", service: "gateway", auth: "none",
    summary: "Local mode only (GATEWAY_LOCAL_MODE, on under npm start): a token for the user `local`, from a loopback Host with no foreign Origin; absent (404) otherwise",
    responses: { 200: { description: "A user token", schema: DevToken } },
    errors: ["forbidden", "not_found"],
    notInClient: true,
  }),
  reference: route({
    method: "get", path: "/api/reference", service: "gateway", auth: "none", summary: "This document as an interactive page (Swagger UI, served from the platform: try every route)",
    responses: { 200: { description: "HTML", mediaTypes: ["text/html"] } },
    errors: [],
    notInClient: true,
  }),
} as const;

/** The routes as a list (the OpenAPI document and the conformance test walk it). */
export const apiRoutes: ReadonlyArray<ApiRoute> = Object.values(api);
