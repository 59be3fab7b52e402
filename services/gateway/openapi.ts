import { Schema, SchemaAST } from "effect";
import { type ApiRoute, apiRoutes } from "../../libs/api/routes.ts";
import { Health } from "../../libs/api/views.ts";
import { Endpoint } from "../../libs/extractor/endpoint.ts";
import { type ApiErrorCode, apiErrorStatus } from "../../libs/http/error-codes.ts";

type Json = Record<string, unknown>;

/** A schema's JSON Schema (draft 2020-12, as OpenAPI 3.1 takes it), from the Effect schema itself. */
const jsonSchemaOf = (schema: Schema.Constraint): Json => Schema.toJsonSchemaDocument(schema).schema as Json;

/** A request body: the services reject unknown fields (api.md), which the generated schema does not say. */
const bodyOf = (schema: Schema.Top): Json =>
  ({ content: { "application/json": { schema: { ...jsonSchemaOf(schema), additionalProperties: false } } }, required: true });

/**
 * One query parameter from its field in the route's query Struct: the field's own JSON Schema
 * (an integer's range, the words allowed, a default), its description lifted to the parameter.
 */
const queryParameter = (name: string, field: Schema.Constraint): Json => {
  const { description, ...schema } = jsonSchemaOf(field);
  const optional = SchemaAST.isOptional(field.ast);
  return { name, in: "query", required: !optional, ...(description === undefined ? {} : { description }), schema };
};

const errorSchema = (codes: ReadonlyArray<ApiErrorCode>): Json => ({
  allOf: [{ $ref: "#/components/schemas/Error" }, { type: "object", properties: { error: { type: "object", properties: { code: { enum: [...codes] } } } } }],
});

/** Each error status the route answers with, its codes listed (description and schema). */
const errorResponses = (codes: ReadonlyArray<ApiErrorCode>): Json => {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(apiErrorStatus[code], [...(byStatus.get(apiErrorStatus[code]) ?? []), code]);
  return Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, list]) => [String(status), {
    description: list.join(", "),
    content: { "application/json": { schema: errorSchema(list) } },
  }]));
};

const operationOf = (route: ApiRoute): Json => {
  const pathParams = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
  const query = Object.entries(route.query?.fields ?? {}).map(([name, field]) => queryParameter(name, field));
  const success = Object.fromEntries(Object.entries(route.responses).map(([status, r]) => [status, {
    description: r.description,
    content: r.schema !== undefined
      ? { "application/json": { schema: jsonSchemaOf(r.schema) } }
      : Object.fromEntries((r.mediaTypes ?? []).map((type) => [type, {}])),
  }]));
  return {
    summary: route.summary,
    operationId: `${route.method}${route.path.replace(/^\/api/, "").replace(/\{([^}]+)\}/g, "by-$1").replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase())}`,
    ...(route.auth === "none" ? { security: [] } : route.auth === "user-or-stream-token" ? { security: [{ bearer: [] }, { streamToken: [] }] } : {}),
    ...(pathParams.length + query.length > 0 ? { parameters: [...pathParams, ...query] } : {}),
    ...(route.body === undefined ? {} : { requestBody: bodyOf(route.body) }),
    responses: { ...success, ...errorResponses(route.errors) },
  };
};

/** The /api part of the document, generated from the one declaration of each route (libs/api/routes.ts). */
const apiPaths = (): Record<string, Json> => {
  const paths: Record<string, Json> = {};
  for (const route of apiRoutes) paths[route.path] = { ...paths[route.path], [route.method]: operationOf(route) };
  return paths;
};

/** The public API as OpenAPI 3.1, but for the server URL. */
const describeApi = (): Json => ({
  openapi: "3.1.0",
  info: { title: "Preview platform API", version: "1.0.0", description: "Run generated FastAPI projects as live previews. Every error has the shape of components.schemas.Error; each response lists its codes." },
  security: [{ bearer: [] }],
  paths: {
    ...apiPaths(),
    "/p/{previewInstanceId}/{path}": {
      get: {
        summary: "The transparent proxy to a running preview (every method; WebSockets too)",
        security: [{ previewToken: [] }, { previewCookie: [] }],
        parameters: [{ name: "previewInstanceId", in: "path", required: true, schema: { type: "string" } }, { name: "path", in: "path", required: true, schema: { type: "string" } }, { name: "previewToken", in: "query", required: false, schema: { type: "string" }, description: "Hand-off: sets the cookie and redirects to the clean URL" }],
        responses: {
          200: { description: "Whatever the preview answers" }, 302: { description: "Hand-off redirect" },
          ...errorResponses(["invalid_preview_token", "payload_too_large", "upstream_unreachable", "preview_not_running", "upstream_timeout"]),
        },
      },
    },
    "/healthz": { get: { summary: "Health", security: [], responses: { 200: { description: "ok", content: { "application/json": { schema: jsonSchemaOf(Health) } } } } } },
  },
  components: {
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
      streamToken: { type: "apiKey", in: "query", name: "token" },
      previewToken: { type: "apiKey", in: "header", name: "X-Preview-Token" },
      previewCookie: { type: "apiKey", in: "cookie", name: "preview_token" },
    },
    schemas: {
      Endpoint: jsonSchemaOf(Endpoint),
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
  },
});

let described: Json | undefined;

/** What the gateway serves at /api/openapi.json: described once, the server being PUBLIC_URL (never the Host a request names). */
export const openApiDocument = (serverUrl: string): Json => {
  described ??= describeApi();
  return { ...described, servers: [{ url: serverUrl }] };
};
