import { Schema } from "effect";
import { Endpoint } from "../../libs/extractor/endpoint.ts";
import { CreateGenerationBody, ReviseBody } from "../../libs/generations/contract.ts";
import { previewStatuses } from "../../libs/logs/statuses.ts";
import { ExtendBody, LaunchBody } from "../../libs/previews/contract.ts";
import { previewListFilters, previewListLimits } from "../../libs/previews/listing.ts";
import { PreviewRequestBody } from "../../libs/previews/request-schema.ts";

type Json = Record<string, unknown>;

/** A request body's JSON Schema, from the same Effect schema the service decodes it with. */
const bodyOf = (schema: Schema.Top): Json => {
  const document = Schema.toJsonSchemaDocument(schema);
  // The services reject unknown fields (api.md), which the generated schema does not say.
  return { content: { "application/json": { schema: { ...document.schema, additionalProperties: false } } }, required: true };
};

const errors = (...statuses: number[]): Json =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: "#/components/responses/Error" }]));

const json = (description: string, schema: Json = { type: "object" }): Json => ({ description, content: { "application/json": { schema } } });

const generationId = { name: "generationId", in: "path", required: true, schema: { type: "string" } };
const query = (name: string, type: string, description: string) => ({ name, in: "query", required: false, schema: { type }, description });
const g = "/api/generations/{generationId}";
const p = `${g}/preview`;

const nullable = (type: string) => ({ type: [type, "null"] });
const previewPageSchema: Json = {
  type: "object",
  required: ["previews", "nextCursor"],
  properties: {
    previews: {
      type: "array",
      items: {
        type: "object",
        required: ["previewInstanceId", "generationId", "status", "runtime", "baseUrl", "previewUrl", "createdAt", "expiresAt"],
        properties: {
          previewInstanceId: { type: "string" }, generationId: { type: "string" }, status: { enum: [...previewStatuses] }, runtime: { type: "string" },
          baseUrl: { type: "string" }, previewUrl: { type: "string" }, uptime: nullable("integer"), lastHealthCheck: nullable("string"),
          healthStatus: { enum: ["unknown", "healthy", "unhealthy"] }, createdAt: { type: "string" }, startedAt: nullable("string"),
          stoppedAt: nullable("string"), expiresAt: { type: "string" }, exitCode: nullable("integer"), errorMessage: nullable("string"),
        },
      },
    },
    nextCursor: nullable("string"),
  },
};

/** api.md as OpenAPI 3.1, but for the server URL. */
const describeApi = (): Json => ({
  openapi: "3.1.0",
  info: { title: "Preview platform API", version: "1.0.0", description: "Run generated FastAPI projects as live previews. Every error has the shape of components.schemas.Error." },
  security: [{ bearer: [] }],
  paths: {
    "/api/generations": {
      post: { summary: "Upload a generated project", requestBody: bodyOf(CreateGenerationBody), responses: { 201: json("Stored"), ...errors(400, 401, 413) } },
    },
    "/api/previews": {
      get: {
        summary: "Your previews, live and ended, newest first, a page at a time",
        parameters: [
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: previewListLimits.max, default: previewListLimits.default } },
          { name: "cursor", in: "query", required: false, schema: { type: "string" }, description: "nextCursor of the previous page" },
          { name: "status", in: "query", required: false, schema: { enum: [...previewListFilters, ...previewStatuses] }, description: "live (launching or running), ended, or one status" },
        ],
        responses: { 200: json("A page of previews", previewPageSchema), ...errors(400, 401) },
      },
    },
    [g]: { get: { summary: "A generation", parameters: [generationId], responses: { 200: json("The generation"), ...errors(401, 404) } } },
    [`${p}/launch`]: {
      post: { summary: "Launch a preview", parameters: [generationId], requestBody: bodyOf(LaunchBody), responses: { 200: json("Running (wait: true)"), 202: json("Launching"), ...errors(400, 401, 404, 409, 422, 503) } },
    },
    [`${p}/status`]: { get: { summary: "The latest preview's status, whatever its state", parameters: [generationId], responses: { 200: json("Status"), ...errors(401, 404) } } },
    [p]: { delete: { summary: "Stop the preview (idempotent)", parameters: [generationId], responses: { 200: json("Stopped"), ...errors(401, 404) } } },
    [`${p}/endpoints`]: {
      get: { summary: "The generation's endpoints (static, or live when running)", parameters: [generationId], responses: { 200: json("Endpoints", { type: "object", properties: { source: { enum: ["static", "live"] }, endpoints: { type: "array", items: { $ref: "#/components/schemas/Endpoint" } } } }), ...errors(401, 404, 503) } },
    },
    [`${g}/endpoints`]: { get: { summary: "Alias of .../preview/endpoints", parameters: [generationId], responses: { 200: json("Endpoints"), ...errors(401, 404, 503) } } },
    [`${p}/request`]: {
      post: { summary: "Send one request to the running preview (route 5)", parameters: [generationId], requestBody: bodyOf(PreviewRequestBody), responses: { 200: json("The preview's answer, its status inside"), ...errors(400, 401, 404, 502, 503, 504) } },
    },
    [`${p}/config`]: { get: { summary: "The effective limits", parameters: [generationId], responses: { 200: json("Limits"), ...errors(401, 404) } } },
    [`${p}/reload`]: {
      post: { summary: "Switch the running preview to new files in place (same id, URL, token and log stream)", parameters: [generationId], requestBody: bodyOf(ReviseBody), responses: { 200: json("Reloaded"), ...errors(400, 401, 404, 409, 413, 422) } },
    },
    [`${p}/extend`]: {
      post: { summary: "Push the expiry out", parameters: [generationId], requestBody: bodyOf(ExtendBody), responses: { 200: json("New expiry"), ...errors(400, 401, 404, 409) } },
    },
    [`${p}/logs/token`]: { post: { summary: "A short-lived token for the log stream (EventSource cannot send headers)", parameters: [generationId], responses: { 200: json("Token"), ...errors(401, 404) } } },
    [`${p}/logs`]: {
      get: {
        summary: "Log history",
        parameters: [generationId, query("after", "integer", "Lines after this id"), query("limit", "integer", "At most this many"), query("level", "string", "This level or higher")],
        responses: { 200: json("Lines"), ...errors(400, 401, 404) },
      },
    },
    [`${p}/logs/stream`]: {
      get: {
        summary: "Live logs (SSE: retry, id, event: log | status, : ping)",
        security: [{ bearer: [] }, { streamToken: [] }],
        parameters: [generationId, query("token", "string", "Stream token"), query("lastEventId", "integer", "Resume after this id"), query("tail", "integer", "Only the last N retained lines")],
        responses: { 200: { description: "Event stream", content: { "text/event-stream": { schema: { type: "string" } } } }, ...errors(400, 401, 404) },
      },
    },
    [`${p}/logs/export`]: {
      get: { summary: "Download the logs", parameters: [generationId, query("format", "string", "text or ndjson")], responses: { 200: { description: "The logs", content: { "text/plain": {}, "application/x-ndjson": {} } }, ...errors(400, 401, 404) } },
    },
    "/p/{previewInstanceId}/{path}": {
      get: {
        summary: "The transparent proxy to a running preview (every method; WebSockets too)",
        security: [{ previewToken: [] }, { previewCookie: [] }],
        parameters: [{ name: "previewInstanceId", in: "path", required: true, schema: { type: "string" } }, { name: "path", in: "path", required: true, schema: { type: "string" } }, query("previewToken", "string", "Hand-off: sets the cookie and redirects to the clean URL")],
        responses: { 200: { description: "Whatever the preview answers" }, 302: { description: "Hand-off redirect" }, ...errors(401, 413, 502, 503, 504) },
      },
    },
    "/healthz": { get: { summary: "Health", security: [], responses: { 200: json("ok") } } },
  },
  components: {
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
      streamToken: { type: "apiKey", in: "query", name: "token" },
      previewToken: { type: "apiKey", in: "header", name: "X-Preview-Token" },
      previewCookie: { type: "apiKey", in: "cookie", name: "preview_token" },
    },
    schemas: {
      Endpoint: Schema.toJsonSchemaDocument(Endpoint).schema,
      Error: {
        type: "object",
        required: ["error"],
        properties: {
          error: {
            type: "object",
            required: ["code", "message", "requestId"],
            properties: { code: { type: "string" }, message: { type: "string" }, requestId: { type: "string" }, details: { type: "object" } },
          },
        },
      },
    },
    responses: { Error: json("An error in the one envelope", { $ref: "#/components/schemas/Error" }) },
  },
});

let described: Json | undefined;

/** What the gateway serves at /api/openapi.json: described once, the server being PUBLIC_URL (never the Host a request names). */
export const openApiDocument = (serverUrl: string): Json => {
  described ??= describeApi();
  return { ...described, servers: [{ url: serverUrl }] };
};

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

/** The same document as a plain, dependency-free reference page. */
export const referencePage = (document: Json): string => {
  const paths = document.paths as Record<string, Record<string, { summary?: string }>>;
  const rows = Object.entries(paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, op]) => `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td><td>${escape(op.summary ?? "")}</td></tr>`));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview platform API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}td{padding:.3rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}code{font-size:14px}</style></head>
<body><h1>Preview platform API</h1><p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>
<table><thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">What it does</th></tr></thead><tbody>${rows.join("")}</tbody></table></body></html>`;
};
