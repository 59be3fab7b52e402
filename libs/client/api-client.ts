// A typed client of the public API for browsers, the CLI and outside apps: web-standard fetch
// only, no Node APIs. Its methods are derived from the one declaration of the API
// (libs/api/routes.ts): one per route, named by the route's key, its path parameters as
// arguments in order, then the body or the query the route declares; the query is written with
// the route's Schemas and every answer is decoded with the route's declared response Schema, so a
// method cannot drift from its route.
import { Schema } from "effect";
import type { AllOptional, ApiRoute, BodyOf, PathArgs, QueryOf, QuerySchema, SuccessOf } from "../api/route.ts";
import { api } from "../api/routes.ts";
import type * as views from "../api/views.ts";
import type { EndpointsView } from "../extractor/endpoints-view.ts";
import { type ApiErrorCode, type ClientErrorCode, isApiErrorCode } from "../http/error-codes.ts";
import { schemaFailure } from "../http/json-body.ts";
import type { LaunchView } from "../previews/contract.ts";
import { type FollowLogsOptions, followLogs } from "./log-iterator.ts";
import type { LogStreamClient } from "./log-stream.ts";

/** An API failure as a value: the envelope's fields, plus the HTTP status (0 when the network failed). */
export interface ApiError {
  readonly status: number;
  /** Switch on it: every code the API answers with, plus the client's own (error-codes.ts). */
  readonly code: ApiErrorCode | ClientErrorCode;
  readonly message: string;
  readonly requestId: string;
  readonly details?: Record<string, unknown>;
}

export type ApiResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

export type EndpointList = EndpointsView;

export type LogsPage = typeof views.LogsPage.Type;

export interface PreviewClientOptions {
  /** The gateway's origin, e.g. http://127.0.0.1:8080 */
  readonly baseUrl: string;
  /** The user's JWT; a function so an app can refresh it. */
  readonly token: () => string | Promise<string>;
  readonly fetch?: typeof fetch;
}

/**
 * An answer's body checked against the route's declared Schema for its status: the value decoded
 * (unknown fields dropped), or `invalid_response` naming what did not match.
 */
const decodeAnswer = (route: ApiRoute, status: number, json: unknown, requestId: string): ApiResult<unknown> => {
  const declared = route.responses[status];
  if (declared === undefined) {
    const message = `${route.method.toUpperCase()} ${route.path} answered ${status}, a status it does not declare`;
    return { ok: false, error: { status, code: "invalid_response", message, requestId } };
  }
  const schema = declared.schema as Schema.Decoder<unknown> | undefined;
  if (schema === undefined) return { ok: true, value: json };
  const decoded = Schema.decodeUnknownExit(schema)(json, { errors: "all" });
  if (decoded._tag === "Success") return { ok: true, value: decoded.value };
  const failure = decoded.cause.reasons.find((r) => r._tag === "Fail");
  const problem = failure === undefined ? undefined : schemaFailure(failure.error.issue, "");
  return {
    ok: false,
    error: {
      status,
      code: "invalid_response",
      message: `The answer to ${route.method.toUpperCase()} ${route.path} does not match its declared schema${problem?.message ?? ""}`,
      requestId,
      ...(problem?.details === undefined ? {} : { details: problem.details }),
    },
  };
};

/**
 * An API answer as a value (shared by fetch here and by callers that send with XMLHttpRequest for
 * upload progress); given the route, a success is decoded with the route's declared Schema.
 */
export function apiResultOf<R extends ApiRoute>(status: number, text: string, requestIdHeader: string | null, route: R): ApiResult<SuccessOf<R>>;
export function apiResultOf(status: number, text: string, requestIdHeader: string | null): ApiResult<unknown>;
export function apiResultOf(status: number, text: string, requestIdHeader: string | null, route?: ApiRoute): ApiResult<unknown> {
  let json: unknown;
  try {
    json = text === "" ? {} : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (status >= 200 && status < 300) return route === undefined ? { ok: true, value: json } : decodeAnswer(route, status, json, requestIdHeader ?? "");
  const envelope = (json as { error?: { code?: unknown; message?: unknown; requestId?: unknown; details?: Record<string, unknown> } } | undefined)?.error;
  const code = envelope?.code;
  const details = isApiErrorCode(code) || code === undefined ? envelope?.details : { ...envelope?.details, code };
  return {
    ok: false,
    error: {
      status,
      code: isApiErrorCode(code) ? code : status === 0 ? "network_error" : "http_error",
      message: typeof envelope?.message === "string" ? envelope.message : status === 0 ? "The network request failed" : `HTTP ${status}`,
      requestId: typeof envelope?.requestId === "string" ? envelope.requestId : requestIdHeader ?? "",
      ...(details === undefined ? {} : { details }),
    },
  };
}

const idempotent: ReadonlySet<string> = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/**
 * Whether a fetch failed on a connection reset or closed by the other side (undici's codes in
 * Node and Deno); a browser says only "network error", which is then treated alike.
 */
export const resetSocket = (e: unknown): boolean => {
  const cause = (e as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  return code === undefined ? e instanceof TypeError : ["UND_ERR_SOCKET", "ECONNRESET", "EPIPE", "UND_ERR_CLOSED"].includes(code);
};

/**
 * A request that got no answer, named by its URL and the cause ("fetch failed" alone says neither):
 * Node puts the socket error (ECONNREFUSED, ENOTFOUND, ...) in `cause`; browsers give no detail.
 */
export const networkError = (method: string, url: string, e: unknown): ApiError => {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const why = cause?.message ?? (e instanceof Error ? e.message : String(e));
  return {
    status: 0,
    code: "network_error",
    message: `No answer from ${method} ${url}: ${why}`,
    requestId: "",
    details: { url, ...(typeof code === "string" ? { cause: code } : {}) },
  };
};

type Routes = typeof api;

/** The routes the client calls (the others are aliases, or URLs it hands to a browser). */
export type ClientRouteName = { [K in keyof Routes]: Routes[K] extends { readonly notInClient: true } ? never : K }[keyof Routes];

/** After the path parameters: the body the route declares, or its query; optional when nothing in it is required. */
type InputArgs<R extends ApiRoute> =
  R["body"] extends Schema.Top ? (AllOptional<BodyOf<R>> extends true ? [body?: BodyOf<R>] : [body: BodyOf<R>])
  : R["query"] extends QuerySchema ? [query?: QueryOf<R>]
  : [];

/** A route as a client method: `client.launch(generationId, { wait: true })`. */
export type RouteMethod<R extends ApiRoute> = (...args: [...PathArgs<R["path"]>, ...InputArgs<R>]) => Promise<ApiResult<SuccessOf<R>>>;

export type RouteMethods = { readonly [K in ClientRouteName]: RouteMethod<Routes[K]> };

const pathParamNames = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? "");

const stringCodecs = new WeakMap<QuerySchema, Schema.Codec<unknown, unknown>>();

/**
 * A route's query written as its declared Schema writes it (numbers as decimal strings); a value
 * outside the Schema is refused here, named as the server would, before anything is sent.
 */
const queryString = (route: ApiRoute, query: unknown): { readonly ok: true; readonly search: string } | { readonly ok: false; readonly error: ApiError } => {
  if (route.query === undefined || query === undefined) return { ok: true, search: "" };
  let codec = stringCodecs.get(route.query);
  if (codec === undefined) {
    codec = Schema.toCodecStringTree(route.query) as unknown as Schema.Codec<unknown, unknown>;
    stringCodecs.set(route.query, codec);
  }
  const encoded = Schema.encodeUnknownExit(codec)(query, { errors: "all" });
  if (encoded._tag === "Success") {
    const search = new URLSearchParams(Object.entries(encoded.value as Record<string, string | undefined>).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, v]])));
    return { ok: true, search: search.size > 0 ? `?${search}` : "" };
  }
  const failure = encoded.cause.reasons.find((r) => r._tag === "Fail");
  const problem = failure === undefined ? undefined : schemaFailure(failure.error.issue, "Invalid query parameter");
  return {
    ok: false,
    error: { status: 0, code: "invalid_request", message: problem?.message ?? "Invalid query", requestId: "", ...(problem?.details === undefined ? {} : { details: problem.details }) },
  };
};

export const createPreviewClient = (options: PreviewClientOptions) => {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  const send = async (method: string, path: string, body?: unknown) =>
    doFetch(base + path, {
      method,
      headers: { authorization: `Bearer ${await options.token()}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const call = async (route: ApiRoute, path: string, body?: unknown): Promise<ApiResult<unknown>> => {
    const method = route.method.toUpperCase();
    let res: Response;
    try {
      res = await send(method, path, body).catch((e: unknown) => {
        // A kept-alive connection the server closed just as we reused it: an idempotent call is
        // sent again, once, on a new connection; any other is reported (it may have been done).
        if (!idempotent.has(method) || !resetSocket(e)) throw e;
        return send(method, path, body);
      });
    } catch (e) {
      return { ok: false, error: networkError(method, base + path, e) };
    }
    return apiResultOf(res.status, await res.text(), res.headers.get("x-request-id"), route);
  };

  /** The route's path with its parameters filled in, in the order the path names them. */
  const pathOf = (route: ApiRoute, args: ReadonlyArray<unknown>) => {
    let i = 0;
    return route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(String(args[i++] ?? "")));
  };

  /** A declared route as a method: path parameters, then the body (`{}` when left out) or the query. */
  const methodOf = (route: ApiRoute) => async (...args: unknown[]): Promise<ApiResult<unknown>> => {
    const path = pathOf(route, args);
    const input = args[pathParamNames(route.path).length];
    if (route.body !== undefined) return call(route, path, input ?? {});
    const query = queryString(route, input);
    return query.ok ? call(route, path + query.search, undefined) : { ok: false, error: query.error };
  };

  const methods = Object.fromEntries(
    Object.entries(api).flatMap(([name, route]: [string, ApiRoute]) => (route.notInClient === true ? [] : [[name, methodOf(route)]])),
  ) as unknown as RouteMethods;

  /** A URL a browser or an EventSource opens itself (it cannot send the Authorization header), from the route's declaration. */
  const urlOf = <R extends ApiRoute>(route: R, path: PathArgs<R["path"]>, query: QueryOf<R>): string => {
    const written = queryString(route, query);
    // Typed arguments cannot be outside the Schema but through a cast; the server then names the problem.
    return `${base}${pathOf(route, path)}${written.ok ? written.search : ""}`;
  };

  const logStreams: LogStreamClient = {
    logsToken: (generationId) => methods.logsToken(generationId),
    /** The SSE URL an EventSource opens (it cannot send headers, hence the short-lived token). */
    logStreamUrl: (generationId, token, from = {}) => urlOf(api.logsStream, [generationId], { token, ...from }),
  };
  return {
    ...methods,
    ...logStreams,
    /**
     * The preview's logs as an async iterator: `for await (const e of client.followLogs(id, { signal }))`.
     * Lines once and in order across drops; resume with `after: lastLine.id`; ends on the preview's final status or `signal`.
     */
    followLogs: (generationId: string, options: FollowLogsOptions = {}) => followLogs(logStreams, generationId, options),
    baseUrl: base,
    exportUrl: (generationId: string, format: (typeof api.logsExport.query.Type)["format"]) => urlOf(api.logsExport, [generationId], format === undefined ? {} : { format }),
    /**
     * The preview under `/p/{id}/` on the platform's origin, for programmatic clients that send
     * X-Preview-Token (no wildcard DNS needed; a browser is sent on to the preview's own origin).
     */
    programmaticUrl: (launch: Pick<LaunchView, "previewInstanceId">) => `${base}/p/${launch.previewInstanceId}/`,
    /** Opens the preview's own docs in a browser, on the preview's origin: the token hand-off turns the token into a cookie there. */
    docsUrl: (launch: Pick<LaunchView, "baseUrl" | "previewToken">) => `${launch.baseUrl}/docs?previewToken=${encodeURIComponent(launch.previewToken)}`,
  };
};

export type PreviewClient = ReturnType<typeof createPreviewClient>;
