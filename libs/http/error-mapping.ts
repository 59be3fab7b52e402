import type { GenerationNotFound, GenerationQuotaExceeded } from "../generations/errors.ts";
import type {
  ExtensionLimitReached, LaunchFailed, PreviewAlreadyRunning, PreviewLimitReached, PreviewNotFound,
  PreviewNotRunning, ReloadFailed,
} from "../previews/errors.ts";
import type { PeerUnavailable } from "../peers/errors.ts";
import type { InvalidPreviewToken, PreviewUnavailable, UpstreamTimeout, UpstreamUnreachable } from "../proxy/errors.ts";
import type { EntryNotFound, RuntimeUnavailable } from "../runtime/errors.ts";
import type { ApiErrorDescription } from "./error-envelope.ts";
import type { Forbidden, InvalidRequest, PayloadTooLarge, Unauthorized, UnknownHost } from "./request-errors.ts";

/** Every typed failure a route may end with. Anything else is a defect and becomes a 500. */
export type ApiFailure =
  | InvalidRequest | PayloadTooLarge | Unauthorized | Forbidden | UnknownHost
  | GenerationNotFound | GenerationQuotaExceeded
  | PreviewNotFound | PreviewAlreadyRunning | PreviewLimitReached | PreviewNotRunning
  | ExtensionLimitReached | LaunchFailed | ReloadFailed
  | RuntimeUnavailable | EntryNotFound
  | PeerUnavailable
  | UpstreamUnreachable | UpstreamTimeout | PreviewUnavailable | InvalidPreviewToken;

/** The single place where typed errors become HTTP statuses and stable codes. */
export const describeFailure = (e: ApiFailure): ApiErrorDescription => {
  switch (e._tag) {
    case "InvalidRequest":
      return { status: 400, code: "invalid_request", message: e.message, ...(e.details ? { details: e.details } : {}) };
    case "PayloadTooLarge":
      return { status: 413, code: "payload_too_large", message: `Request body is over the ${e.limitBytes} byte limit`, details: { limitBytes: e.limitBytes } };
    case "Unauthorized":
      return { status: 401, code: "unauthorized", message: e.reason, headers: { "www-authenticate": "Bearer" } };
    case "Forbidden":
      return { status: 403, code: "forbidden", message: e.reason };
    case "UnknownHost":
      return { status: 421, code: "unknown_host", message: `This server does not answer for the host ${JSON.stringify(e.host)}; use the platform's URL (PUBLIC_URL) or a preview's URL`, details: { host: e.host } };
    case "GenerationNotFound":
      return { status: 404, code: "generation_not_found", message: "No such generation" };
    case "GenerationQuotaExceeded":
      return {
        status: 409,
        code: "generation_quota_exceeded",
        message: e.quota === "count"
          ? `You already store ${e.used} generations, the most allowed (${e.max}); this upload was not stored`
          : `This upload (${e.adding} bytes) would take your stored generations to ${e.used + e.adding} bytes, over your ${e.max} byte quota; it was not stored`,
        details: { quota: e.quota, used: e.used, adding: e.adding, max: e.max },
      };
    case "PreviewNotFound":
      return { status: 404, code: "preview_not_found", message: "No preview for this generation" };
    case "PreviewAlreadyRunning":
      return { status: 409, code: "preview_already_running", message: "A preview of this generation is already live; stop it first" };
    case "PreviewLimitReached":
      return { status: 409, code: "preview_limit_reached", message: `You already have ${e.limit} live previews, the most allowed; stop one first`, details: { limit: e.limit } };
    case "PreviewNotRunning":
      return { status: 409, code: "preview_not_running", message: `The preview is ${e.status}, not running`, details: { previewInstanceId: e.previewInstanceId, status: e.status } };
    case "ExtensionLimitReached":
      return { status: 409, code: "extension_limit_reached", message: `This preview was already extended ${e.maxExtensions} times, the most allowed`, details: { maxExtensions: e.maxExtensions } };
    case "LaunchFailed":
      return { status: 422, code: "preview_launch_failed", message: e.errorMessage, details: { previewInstanceId: e.previewInstanceId, exitCode: e.exitCode, failure: e.failure } };
    case "ReloadFailed":
      return { status: 422, code: "reload_failed", message: e.errorMessage, details: { previewInstanceId: e.previewInstanceId, ...(e.failure === undefined ? {} : { failure: e.failure }) } };
    case "RuntimeUnavailable":
      return { status: 503, code: "runtime_unavailable", message: e.message };
    case "EntryNotFound":
      return { status: 400, code: "entry_not_found", message: e.message };
    case "UpstreamUnreachable":
      return { status: 502, code: "upstream_unreachable", message: "The upstream did not answer" };
    case "UpstreamTimeout":
      return { status: 504, code: "upstream_timeout", message: `The upstream did not answer within ${e.timeoutMs} ms`, details: { timeoutMs: e.timeoutMs } };
    case "PreviewUnavailable":
      return { status: 503, code: "preview_not_running", message: "This preview is not running", details: { previewInstanceId: e.previewInstanceId } };
    case "InvalidPreviewToken":
      return { status: 401, code: "invalid_preview_token", message: e.reason };
    case "PeerUnavailable":
      return { status: 503, code: "service_unavailable", message: `The ${e.peer} did not answer; try again shortly` };
  }
};
