import type { MiddlewareHandler } from "hono";
import { nanoid } from "nanoid";
import type { Logger } from "../observability/logger.ts";
import type { AppEnv } from "./app-env.ts";

/** A request id passed in by a caller is kept only if it cannot break a log line or a header. */
export const acceptableRequestId = /^[A-Za-z0-9._-]{1,64}$/;

/** Milliseconds since `started` (a `performance.now()`), to a tenth: what access lines and route 5 report. */
export const elapsedMs = (started: number): number => Math.round((performance.now() - started) * 10) / 10;

/** Gives every request an id (kept from an upstream gateway when well-formed) and writes an access log line. */
export const requestContext = (logger: Logger): MiddlewareHandler<AppEnv> => async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const requestId = incoming !== undefined && acceptableRequestId.test(incoming) ? incoming : nanoid(16);
  c.set("requestId", requestId);
  const started = performance.now();
  await next();
  c.res.headers.set("x-request-id", requestId);
  logger.request({
    requestId,
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    ms: elapsedMs(started),
  });
};
