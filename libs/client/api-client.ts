// A typed client of the public API for browsers, the CLI and outside apps: web-standard fetch
// only, no Node APIs. Types come from the same contracts the services use.
import type { CreateGenerationBody, GenerationView, ReviseBody } from "../generations/contract.ts";
import type { EndpointsView } from "../extractor/endpoints-view.ts";
import type * as views from "../api/views.ts";
import type { ConfigView, ExtendBody, ExtendView, LaunchBody, LaunchView, ReloadView, StatusView, StopView } from "../previews/contract.ts";
import type { PreviewListQuery, PreviewPage } from "../previews/listing.ts";
import type { PreviewRequestBody, PreviewRequestResult } from "../previews/request-schema.ts";
import { type ApiErrorCode, type ClientErrorCode, isApiErrorCode } from "../http/error-codes.ts";
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

/** An API answer as a value (shared by fetch here and by callers that send with XMLHttpRequest for upload progress). */
export const apiResultOf = <T>(status: number, text: string, requestIdHeader: string | null): ApiResult<T> => {
  let json: unknown;
  try {
    json = text === "" ? {} : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (status >= 200 && status < 300) return { ok: true, value: json as T };
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
};

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

export const createPreviewClient = (options: PreviewClientOptions) => {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  const send = async (method: string, path: string, body?: unknown) =>
    doFetch(base + path, {
      method,
      headers: { authorization: `Bearer ${await options.token()}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const call = async <T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> => {
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
    return apiResultOf<T>(res.status, await res.text(), res.headers.get("x-request-id"));
  };

  const g = (generationId: string) => `/api/generations/${encodeURIComponent(generationId)}`;
  const p = (generationId: string) => `${g(generationId)}/preview`;
  const logStreams: LogStreamClient = {
    logsToken: (generationId) => call<typeof views.LogsToken.Type>("POST", `${p(generationId)}/logs/token`),
    /** The SSE URL an EventSource opens (it cannot send headers, hence the short-lived token). */
    logStreamUrl: (generationId, token, from = {}) => {
      const search = new URLSearchParams({ token });
      if (from.lastEventId !== undefined) search.set("lastEventId", String(from.lastEventId));
      if (from.tail !== undefined) search.set("tail", String(from.tail));
      return `${base}${p(generationId)}/logs/stream?${search}`;
    },
  };
  return {
    ...logStreams,
    /**
     * The preview's logs as an async iterator: `for await (const e of client.followLogs(id, { signal }))`.
     * Lines once and in order across drops; resume with `after: lastLine.id`; ends on the preview's final status or `signal`.
     */
    followLogs: (generationId: string, options: FollowLogsOptions = {}) => followLogs(logStreams, generationId, options),
    baseUrl: base,
    /** The caller's previews, newest first; pass `nextCursor` back as `cursor` for the next page. */
    listPreviews: (query: Partial<PreviewListQuery> = {}) => {
      const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)]));
      return call<PreviewPage>("GET", `/api/previews${search.size > 0 ? `?${search}` : ""}`);
    },
    createGeneration: (body: CreateGenerationBody) => call<GenerationView>("POST", "/api/generations", body),
    getGeneration: (generationId: string) => call<GenerationView>("GET", g(generationId)),
    launch: (generationId: string, body: LaunchBody = {}) => call<LaunchView>("POST", `${p(generationId)}/launch`, body),
    status: (generationId: string) => call<StatusView>("GET", `${p(generationId)}/status`),
    stop: (generationId: string) => call<StopView>("DELETE", p(generationId)),
    config: (generationId: string) => call<ConfigView>("GET", `${p(generationId)}/config`),
    /** Live reload: the running preview switches to these files (or this change set) in place. */
    reload: (generationId: string, body: ReviseBody) => call<ReloadView>("POST", `${p(generationId)}/reload`, body),
    extend: (generationId: string, body: ExtendBody = {}) => call<ExtendView>("POST", `${p(generationId)}/extend`, body),
    endpoints: (generationId: string) => call<EndpointList>("GET", `${p(generationId)}/endpoints`),
    request: (generationId: string, body: PreviewRequestBody) => call<PreviewRequestResult>("POST", `${p(generationId)}/request`, body),
    logs: (generationId: string, query: { after?: number; limit?: number; level?: string } = {}) => {
      const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)]));
      return call<LogsPage>("GET", `${p(generationId)}/logs${search.size > 0 ? `?${search}` : ""}`);
    },
    exportUrl: (generationId: string, format: "text" | "ndjson") => `${base}${p(generationId)}/logs/export?format=${format}`,
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
