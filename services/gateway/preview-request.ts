import { Effect } from "effect";
import { elapsedMs } from "../../libs/http/request-context.ts";
import { InvalidRequest } from "../../libs/http/request-errors.ts";
import { checkHeaders } from "../../libs/proxy/header-check.ts";
import { endToEndHeaders } from "../../libs/proxy/headers.ts";
import { readCapped } from "../../libs/proxy/read-capped.ts";
import { UpstreamClient } from "../../libs/proxy/upstream-client.ts";
import { PreviewDirectory } from "../../libs/previews/directory.ts";
import type { PreviewRequestBody, PreviewRequestResult } from "../../libs/previews/request-schema.ts";
import { PreviewProxy } from "./preview-proxy.ts";

const badPath = (path: string, problem: string) =>
  new InvalidRequest({ message: `Invalid path ${JSON.stringify(path)}: ${problem}`, details: { field: "path", path, problem } });

/**
 * The path must be a plain absolute path of the preview: no scheme, no authority (`//host`,
 * `@host`), no query or fragment (use `query`), and no `..` even when percent-encoded.
 */
const checkPreviewPath = (path: string): InvalidRequest | undefined => {
  if (!path.startsWith("/")) return badPath(path, "it must start with '/'");
  if (path.startsWith("//")) return badPath(path, "it must not start with '//'");
  if (/[\u0000-\u001f\u007f\\?#]/.test(path)) return badPath(path, "it must not contain control characters, '\\', '?' or '#'");
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return badPath(path, "it has an invalid percent-encoding");
  }
  if (decoded.split(/[/\\]/).includes("..")) return badPath(path, "it must not contain '..'");
  if (decoded.startsWith("//") || /[\u0000-\u001f\u007f]/.test(decoded)) return badPath(path, "it must not decode to another host or to control characters");
  return undefined;
};

const textual = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

export interface PreviewRequestLimits {
  readonly timeoutMs: number;
  /** The preview's answer is read up to this many bytes; the rest is dropped and `truncated` set. */
  readonly maxAnswerBytes: number;
}

/**
 * Route 5: one request to the user's running preview, answered as JSON with the upstream status
 * inside. The answer is held in memory to be wrapped in JSON, so only its first
 * `maxAnswerBytes` are read; the transparent proxy is the way to get a larger one whole.
 */
export const sendPreviewRequest = (userId: string, generationId: string, body: PreviewRequestBody, limits: PreviewRequestLimits, signal?: AbortSignal) =>
  Effect.gen(function* () {
    const invalid = checkPreviewPath(body.path);
    if (invalid !== undefined) return yield* Effect.fail(invalid);
    const badHeader = checkHeaders(body.headers ?? {});
    if (badHeader !== undefined) return yield* Effect.fail(badHeader);
    const latest = yield* (yield* PreviewDirectory).latestFor(userId, generationId);
    const route = yield* (yield* PreviewProxy).running(latest.previewInstanceId);
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(body.query ?? {})) {
      for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
    }
    const headers = new Headers(body.headers ?? {});
    let payload: string | undefined;
    if (body.body !== undefined && body.method !== "GET" && body.method !== "HEAD") {
      if (typeof body.body === "string") {
        payload = body.body;
        if (!headers.has("content-type")) headers.set("content-type", "text/plain; charset=utf-8");
      } else {
        payload = JSON.stringify(body.body);
        if (!headers.has("content-type")) headers.set("content-type", "application/json");
      }
    }
    // The app sees its own origin's host, as a browser on it would send (links it builds point there).
    headers.set("host", new URL((yield* PreviewProxy).origins.previewOrigin(route.previewInstanceId)).host);
    const started = performance.now();
    const response = yield* (yield* UpstreamClient).send(route.upstream, {
      method: body.method,
      path: body.path + (search.size > 0 ? `?${search}` : ""),
      headers: endToEndHeaders(headers),
      body: payload === undefined ? null : new Blob([payload]).stream(),
      timeoutMs: limits.timeoutMs,
      // The body is this route's own JSON field, already bounded by the route's body limit.
      maxBodyBytes: Number.MAX_SAFE_INTEGER,
      ...(signal === undefined ? {} : { signal }),
    });
    const { bytes, truncated } = yield* Effect.promise(() => readCapped(response.body, limits.maxAnswerBytes));
    const durationMs = elapsedMs(started);
    (yield* PreviewProxy).activity.record(route.previewInstanceId);
    const contentType = response.headers.get("content-type") ?? "";
    const base = { statusCode: response.status, headers: Object.fromEntries(response.headers), durationMs, ...(truncated ? { truncated } : {}) };
    let result: PreviewRequestResult;
    if (/json/i.test(contentType)) {
      try {
        result = { ...base, data: bytes.length === 0 ? null : JSON.parse(bytes.toString("utf8")) };
      } catch {
        result = { ...base, data: bytes.toString("utf8") };
      }
    } else if (textual.test(contentType) || bytes.length === 0) result = { ...base, data: bytes.toString("utf8") };
    else result = { ...base, data: bytes.toString("base64"), encoding: "base64" };
    return result;
  });
