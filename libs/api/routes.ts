// The public API, declared once: each route's method, path, owner, parameters, request body and
// every response (success bodies and error codes) as Effect Schemas. The OpenAPI document
// (services/gateway/openapi.ts) is generated from this table, the services decode request bodies
// with the same schemas, the client's result types are these schemas' types, and
// test/gateway/api-conformance.test.ts holds the served routes and real answers to it.
import type { Schema } from "effect";
import { CreateGenerationBody, ReviseBody } from "../generations/contract.ts";
import type { ApiErrorCode } from "../http/error-codes.ts";
import { logLevels, previewStatuses } from "../logs/statuses.ts";
import { ExtendBody, LaunchBody } from "../previews/contract.ts";
import { previewListFilters, previewListLimits } from "../previews/listing.ts";
import { PreviewRequestBody } from "../previews/request-schema.ts";
import {
  ConfigView, DevToken, EndpointsView, ExtendView, GenerationView, LaunchView, LogsPage, LogsToken, PreviewPage, PreviewRequestResult,
  ReloadView, StatusView, StopView,
} from "./views.ts";

export interface QueryParam {
  readonly name: string;
  readonly description: string;
  readonly schema: Record<string, unknown>;
}

export interface SuccessResponse {
  readonly description: string;
  /** A JSON body's schema; absent for other media types. */
  readonly schema?: Schema.Top;
  /** Media types other than JSON (streams, downloads, pages). */
  readonly mediaTypes?: ReadonlyArray<string>;
}

export interface ApiRoute {
  readonly method: "get" | "post" | "delete";
  /** OpenAPI form: `{generationId}`. */
  readonly path: string;
  /** The service whose app serves it (the gateway forwards /api/* to it). */
  readonly service: "orchestrator" | "logs" | "gateway";
  readonly summary: string;
  /** `user`: a user JWT (Bearer); `user-or-stream-token`: or the log stream's query token; `none`: public. */
  readonly auth: "user" | "user-or-stream-token" | "none";
  readonly query?: ReadonlyArray<QueryParam>;
  readonly body?: Schema.Top;
  readonly responses: Readonly<Record<number, SuccessResponse>>;
  /** Every error code the route answers with (401 and, with a body or query, 400 included). */
  readonly errors: ReadonlyArray<ApiErrorCode>;
}

const g = "/api/generations/{generationId}";
const p = `${g}/preview`;
const integer = (extra: Record<string, unknown> = {}) => ({ type: "integer", ...extra });
const owned: ReadonlyArray<ApiErrorCode> = ["unauthorized", "generation_not_found"];
const ofPreview: ReadonlyArray<ApiErrorCode> = [...owned, "preview_not_found"];

export const apiRoutes: ReadonlyArray<ApiRoute> = [
  {
    method: "post", path: "/api/generations", service: "orchestrator", auth: "user", summary: "Upload a generated project",
    body: CreateGenerationBody,
    responses: { 201: { description: "Stored", schema: GenerationView } },
    errors: ["invalid_request", "unauthorized", "payload_too_large", "generation_quota_exceeded"],
  },
  {
    method: "get", path: "/api/previews", service: "orchestrator", auth: "user", summary: "Your previews, live and ended, newest first, a page at a time",
    query: [
      { name: "limit", description: "Previews per page", schema: integer({ minimum: 1, maximum: previewListLimits.max, default: previewListLimits.default }) },
      { name: "cursor", description: "nextCursor of the previous page", schema: { type: "string" } },
      { name: "status", description: "live (launching or running), ended, or one status", schema: { enum: [...previewListFilters, ...previewStatuses] } },
    ],
    responses: { 200: { description: "A page of previews", schema: PreviewPage } },
    errors: ["invalid_request", "unauthorized"],
  },
  {
    method: "get", path: g, service: "orchestrator", auth: "user", summary: "A generation",
    responses: { 200: { description: "The generation", schema: GenerationView } },
    errors: owned,
  },
  {
    method: "post", path: `${p}/launch`, service: "orchestrator", auth: "user", summary: "Launch a preview",
    body: LaunchBody,
    responses: { 200: { description: "Running (wait: true)", schema: LaunchView }, 202: { description: "Launching", schema: LaunchView } },
    errors: ["invalid_request", ...owned, "entry_not_found", "preview_already_running", "preview_limit_reached", "preview_launch_failed", "runtime_unavailable"],
  },
  {
    method: "get", path: `${p}/status`, service: "orchestrator", auth: "user", summary: "The latest preview's status, whatever its state",
    responses: { 200: { description: "Status", schema: StatusView } },
    errors: ofPreview,
  },
  {
    method: "delete", path: p, service: "orchestrator", auth: "user", summary: "Stop the preview (idempotent)",
    responses: { 200: { description: "Stopped", schema: StopView } },
    errors: ofPreview,
  },
  {
    method: "get", path: `${p}/endpoints`, service: "orchestrator", auth: "user", summary: "The generation's endpoints (static, or live when running)",
    responses: { 200: { description: "Endpoints", schema: EndpointsView } },
    errors: [...owned, "service_unavailable"],
  },
  {
    method: "get", path: `${g}/endpoints`, service: "orchestrator", auth: "user", summary: "Alias of .../preview/endpoints",
    responses: { 200: { description: "Endpoints", schema: EndpointsView } },
    errors: [...owned, "service_unavailable"],
  },
  {
    method: "post", path: `${p}/request`, service: "gateway", auth: "user", summary: "Send one request to the running preview (route 5)",
    body: PreviewRequestBody,
    responses: { 200: { description: "The preview's answer, its status inside", schema: PreviewRequestResult } },
    errors: ["invalid_request", ...ofPreview, "preview_not_running", "upstream_unreachable", "upstream_timeout"],
  },
  {
    method: "get", path: `${p}/config`, service: "orchestrator", auth: "user", summary: "The effective limits",
    responses: { 200: { description: "Limits", schema: ConfigView } },
    errors: owned,
  },
  {
    method: "post", path: `${p}/reload`, service: "orchestrator", auth: "user", summary: "Switch the running preview to new files in place (same id, URL, token and log stream)",
    body: ReviseBody,
    responses: { 200: { description: "Reloaded", schema: ReloadView } },
    errors: ["invalid_request", ...ofPreview, "preview_not_running", "payload_too_large", "generation_quota_exceeded", "reload_failed"],
  },
  {
    method: "post", path: `${p}/extend`, service: "orchestrator", auth: "user", summary: "Push the expiry out",
    body: ExtendBody,
    responses: { 200: { description: "New expiry", schema: ExtendView } },
    errors: ["invalid_request", ...ofPreview, "preview_not_running", "extension_limit_reached"],
  },
  {
    method: "post", path: `${p}/logs/token`, service: "logs", auth: "user", summary: "A short-lived token for the log stream (EventSource cannot send headers)",
    responses: { 200: { description: "Token", schema: LogsToken } },
    errors: ofPreview,
  },
  {
    method: "get", path: `${p}/logs`, service: "logs", auth: "user", summary: "Log history",
    query: [
      { name: "after", description: "Lines after this id", schema: integer({ minimum: 0 }) },
      { name: "limit", description: "At most this many", schema: integer({ minimum: 1 }) },
      { name: "level", description: "This level or higher", schema: { enum: [...logLevels] } },
    ],
    responses: { 200: { description: "Lines", schema: LogsPage } },
    errors: ["invalid_request", ...ofPreview],
  },
  {
    method: "get", path: `${p}/logs/stream`, service: "logs", auth: "user-or-stream-token", summary: "Live logs (SSE: retry, id, event: log | status, : ping)",
    query: [
      { name: "token", description: "Stream token (POST .../logs/token)", schema: { type: "string" } },
      { name: "lastEventId", description: "Resume after this id (or the Last-Event-ID header)", schema: integer({ minimum: 0 }) },
      { name: "tail", description: "Only the last N retained lines", schema: integer({ minimum: 0 }) },
    ],
    responses: { 200: { description: "Event stream", mediaTypes: ["text/event-stream"] } },
    errors: ["invalid_request", ...ofPreview],
  },
  {
    method: "get", path: `${p}/logs/export`, service: "logs", auth: "user", summary: "Download the logs",
    query: [{ name: "format", description: "text (default) or ndjson", schema: { enum: ["text", "ndjson"] } }],
    responses: { 200: { description: "The logs", mediaTypes: ["text/plain", "application/x-ndjson"] } },
    errors: ["invalid_request", ...ofPreview],
  },
  {
    method: "get", path: "/api/openapi.json", service: "gateway", auth: "none", summary: "This document",
    responses: { 200: { description: "OpenAPI 3.1", mediaTypes: ["application/json"] } },
    errors: [],
  },
  {
    method: "post", path: "/api/dev/token", service: "gateway", auth: "none",
    summary: "Local mode only (GATEWAY_LOCAL_MODE, on under npm start): a token for the user `local`, from a loopback Host with no foreign Origin; absent (404) otherwise",
    responses: { 200: { description: "A user token", schema: DevToken } },
    errors: ["forbidden", "not_found"],
  },
  {
    method: "get", path: "/api/reference", service: "gateway", auth: "none", summary: "This document as an interactive page (Swagger UI, served from the platform: try every route)",
    responses: { 200: { description: "HTML", mediaTypes: ["text/html"] } },
    errors: [],
  },
];
