import type { ApiErrorCode } from "./error-codes.ts";

/** The one error shape of the public API (shared/api.md). */
export interface ErrorBody {
  readonly error: {
    readonly code: ApiErrorCode;
    readonly message: string;
    readonly requestId: string;
    readonly details?: Record<string, unknown>;
  };
}

export interface ApiErrorDescription {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

/** The one builder of the envelope: every error answer's body, whatever writes it (Hono, node:http, a raw socket). */
export const errorBody = (requestId: string, e: Pick<ApiErrorDescription, "code" | "message" | "details">): ErrorBody => ({
  error: {
    code: e.code,
    message: e.message,
    requestId,
    ...(e.details === undefined ? {} : { details: e.details }),
  },
});

export const errorResponse = (requestId: string, e: ApiErrorDescription): Response =>
  Response.json(errorBody(requestId, e), { status: e.status, headers: { "x-request-id": requestId, ...e.headers } });

export const internalError: ApiErrorDescription = {
  status: 500,
  code: "internal_error",
  message: "Something went wrong on our side; the request id helps us find it.",
};
