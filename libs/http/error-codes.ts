// No imports: the client package and the browser page load this file too.

/** Every `error.code` the API answers with (libs/http/error-mapping.ts may use no other). */
export const apiErrorCodes = [
  "invalid_request", "payload_too_large", "unauthorized", "forbidden", "unknown_host", "not_found",
  "generation_not_found", "generation_quota_exceeded",
  "preview_not_found", "preview_already_running", "preview_limit_reached", "preview_not_running",
  "extension_limit_reached", "preview_launch_failed", "reload_failed",
  "runtime_unavailable", "entry_not_found",
  "upstream_unreachable", "upstream_timeout", "invalid_preview_token",
  "service_unavailable", "internal_error", "shutting_down",
] as const;
export type ApiErrorCode = typeof apiErrorCodes[number];

/**
 * Codes the client reports itself: `network_error` (no answer; `status` 0), `http_error` (an
 * answer without the envelope, e.g. from a proxy in between, or a code this client does not know:
 * the server's is in `details.code`), `invalid_response` (a success whose status or body the
 * route's declaration does not describe).
 */
export const clientErrorCodes = ["network_error", "http_error", "invalid_response"] as const;
export type ClientErrorCode = typeof clientErrorCodes[number];

const known: ReadonlySet<string> = new Set(apiErrorCodes);
export const isApiErrorCode = (code: unknown): code is ApiErrorCode => typeof code === "string" && known.has(code);

/** The status each code is answered with on the API (the OpenAPI document lists codes under these). */
export const apiErrorStatus: Readonly<Record<ApiErrorCode, number>> = {
  invalid_request: 400, entry_not_found: 400,
  unauthorized: 401, invalid_preview_token: 401,
  forbidden: 403,
  not_found: 404, generation_not_found: 404, preview_not_found: 404,
  generation_quota_exceeded: 409, preview_already_running: 409, preview_limit_reached: 409, preview_not_running: 409, extension_limit_reached: 409,
  payload_too_large: 413,
  unknown_host: 421,
  preview_launch_failed: 422, reload_failed: 422,
  internal_error: 500,
  upstream_unreachable: 502,
  runtime_unavailable: 503, service_unavailable: 503, shutting_down: 503,
  upstream_timeout: 504,
};
