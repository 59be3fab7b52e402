import type { MiddlewareHandler } from "hono";
import { nanoid } from "nanoid";
import type { Logger } from "../observability/logger.ts";
import type { AppEnv } from "./app-env.ts";

const acceptableRequestId = /^[A-Za-z0-9._-]{1,64}$/;

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
    ms: Math.round((performance.now() - started) * 10) / 10,
  });
};
