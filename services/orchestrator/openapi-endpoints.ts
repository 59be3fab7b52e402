import { Effect, Schema } from "effect";
import { compareEndpoints, type Endpoint, HttpMethods, openApiPath, type Param, type RequestBody } from "../../libs/extractor/endpoint.ts";
import { LiveReadFailed } from "./live-openapi.ts";

// Only the parts of an OpenAPI document that become an Endpoint; JSON Schema leaves stay unknown
// because their shape differs between OpenAPI 3.0 (pydantic 1) and 3.1 (pydantic 2).
const Media = Schema.Record(Schema.String, Schema.Struct({ schema: Schema.optionalKey(Schema.Unknown) }));
const Operation = Schema.Struct({
  operationId: Schema.optionalKey(Schema.String),
  summary: Schema.optionalKey(Schema.String),
  description: Schema.optionalKey(Schema.String),
  tags: Schema.optionalKey(Schema.Array(Schema.String)),
  deprecated: Schema.optionalKey(Schema.Boolean),
  parameters: Schema.optionalKey(Schema.Array(Schema.Struct({ name: Schema.String, in: Schema.String, schema: Schema.optionalKey(Schema.Unknown) }))),
  requestBody: Schema.optionalKey(Schema.Struct({ content: Schema.optionalKey(Media) })),
  responses: Schema.optionalKey(Schema.Record(Schema.String, Schema.Struct({ content: Schema.optionalKey(Media) }))),
});
type Operation = typeof Operation.Type;
const OpenApiDocument = Schema.Struct({
  paths: Schema.Record(Schema.String, Schema.Record(Schema.String, Schema.Unknown)),
  components: Schema.optionalKey(Schema.Struct({ schemas: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)) })),
});

type JsonObject = Readonly<Record<string, unknown>>;
const objectOf = (value: unknown): JsonObject | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;

const refName = (schema: unknown): string | undefined => {
  const ref = objectOf(schema)?.["$ref"];
  return typeof ref === "string" ? ref.slice(ref.lastIndexOf("/") + 1) : undefined;
};

/** A readable name for a JSON Schema: the model it refers to, else its type(s). */
const typeName = (schema: unknown): string | undefined => {
  const s = objectOf(schema);
  if (s === undefined) return undefined;
  const ref = refName(s);
  if (ref !== undefined) return ref;
  if (typeof s["type"] === "string") return s["type"];
  const alternatives = [s["type"], s["anyOf"], s["oneOf"], s["allOf"]].find(Array.isArray) as ReadonlyArray<unknown> | undefined;
  if (alternatives === undefined) return undefined;
  const names = alternatives.map((a) => (typeof a === "string" ? a : typeName(a))).filter((n): n is string => n !== undefined);
  return names.length === 0 ? undefined : names.join(" | ");
};

const param = (name: string, schema: unknown): Param => {
  const type = typeName(schema);
  return type === undefined ? { name } : { name, type };
};

const firstSchema = (content: Readonly<Record<string, { readonly schema?: unknown }>> | undefined): unknown =>
  content === undefined ? undefined : (content["application/json"] ?? Object.values(content)[0])?.schema;

const requestBodyOf = (op: Operation, models: JsonObject): RequestBody | undefined => {
  const schema = firstSchema(op.requestBody?.content);
  if (schema === undefined) return undefined;
  const ref = refName(schema);
  const title = objectOf(schema)?.["title"];
  const model = ref ?? (typeof title === "string" ? title : undefined) ?? typeName(schema) ?? "object";
  const properties = objectOf(objectOf(ref === undefined ? schema : models[ref])?.["properties"]);
  return properties === undefined ? { model } : { model, fields: Object.entries(properties).map(([name, s]) => param(name, s)) };
};

/** FastAPI's default operationId is `{handler}{path with non-word characters as _}_{method}`. */
const handlerName = (operationId: string | undefined, path: string, method: string): string => {
  if (operationId === undefined) return "";
  const suffix = `${path.replace(/\W/g, "_")}_${method.toLowerCase()}`;
  return operationId.length > suffix.length && operationId.endsWith(suffix) ? operationId.slice(0, -suffix.length) : operationId;
};

const endpointOf = (method: Endpoint["method"], path: string, op: Operation, models: JsonObject): Endpoint => {
  const parameters = op.parameters ?? [];
  const requestBody = requestBodyOf(op, models);
  const [statusKey, response] = Object.entries(op.responses ?? {})[0] ?? [];
  const responseModel = refName(firstSchema(response?.content));
  return {
    method,
    path,
    name: handlerName(op.operationId, path, method),
    ...(op.summary === undefined ? {} : { summary: op.summary }),
    ...(op.description === undefined ? {} : { description: op.description }),
    tags: op.tags ?? [],
    pathParams: parameters.filter((p) => p.in === "path").map((p) => param(p.name, p.schema)),
    queryParams: parameters.filter((p) => p.in === "query").map((p) => param(p.name, p.schema)),
    ...(requestBody === undefined ? {} : { requestBody }),
    ...(responseModel === undefined ? {} : { responseModel }),
    ...(statusKey !== undefined && /^\d{3}$/.test(statusKey) ? { statusCode: Number(statusKey) } : {}),
    ...(op.deprecated === undefined ? {} : { deprecated: op.deprecated }),
  };
};

/** The endpoints a served OpenAPI document lists (no source locations: the document has none). */
export const endpointsOfOpenApi = (document: unknown): Effect.Effect<Endpoint[], LiveReadFailed> =>
  Effect.gen(function* () {
    const invalid = () => new LiveReadFailed({ reason: "the OpenAPI document does not have the expected shape" });
    const doc = yield* Schema.decodeUnknownEffect(OpenApiDocument)(document).pipe(Effect.mapError(invalid));
    const models = doc.components?.schemas ?? {};
    const endpoints: Endpoint[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of HttpMethods) {
        const raw = item[method.toLowerCase()];
        if (raw === undefined) continue;
        const op = yield* Schema.decodeUnknownEffect(Operation)(raw).pipe(Effect.mapError(invalid));
        endpoints.push(endpointOf(method, path, op, models));
      }
    }
    return endpoints;
  });

const matchKey = (e: Pick<Endpoint, "method" | "path">) => `${e.method} ${openApiPath(e.path)}`;

const typedFrom = (live: ReadonlyArray<Param>, declared: ReadonlyArray<Param>): Param[] =>
  live.map((p) => {
    const type = declared.find((d) => d.name === p.name)?.type;
    return type === undefined ? p : { ...p, type };
  });

/**
 * Live endpoints with what only the source knows: where each handler is, its name, its path as
 * written (converters kept) and its annotations. A live route the static analysis could not
 * resolve keeps no source. WebSocket routes are not in OpenAPI: static ones the live list lacks are kept.
 */
export const mergeLive = (live: ReadonlyArray<Endpoint>, fromSource: ReadonlyArray<Endpoint>): Endpoint[] => {
  const byKey = new Map<string, Endpoint>();
  for (const e of fromSource) if (!byKey.has(matchKey(e))) byKey.set(matchKey(e), e);
  const merged = live.map((l): Endpoint => {
    const s = byKey.get(matchKey(l));
    if (s === undefined) return l;
    return {
      ...l,
      path: s.path,
      name: s.name,
      pathParams: typedFrom(l.pathParams, s.pathParams),
      queryParams: typedFrom(l.queryParams, s.queryParams),
      ...(s.requestBody === undefined ? {} : { requestBody: s.requestBody }),
      ...(s.responseModel === undefined ? {} : { responseModel: s.responseModel }),
      ...(s.statusCode === undefined ? {} : { statusCode: s.statusCode }),
      ...(s.source === undefined ? {} : { source: s.source }),
    };
  });
  const listed = new Set(live.map(matchKey));
  const sockets = fromSource.filter((e) => e.method === "WEBSOCKET" && !listed.has(matchKey(e)));
  return [...merged, ...sockets].sort(compareEndpoints);
};
