import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import { errorResponse } from "../http/error-envelope.ts";
import { describeFailure } from "../http/error-mapping.ts";
import { Unauthorized } from "../http/request-errors.ts";
import { verifyUserToken } from "./user-token.ts";
import { noRoute } from "../http/not-found.ts";

export const deny = (requestId: string, reason: string) => errorResponse(requestId, describeFailure(new Unauthorized({ reason })));

/** Requires `Authorization: Bearer <JWT>` and sets `userId`. */
export const requireUser = (jwtSecret: string): MiddlewareHandler<AppEnv> => async (c, next) => {
  const header = c.req.header("authorization");
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  if (match?.[1] === undefined) return deny(c.get("requestId"), "A bearer token is required");
  const userId = await verifyUserToken(jwtSecret, match[1]);
  if (userId === undefined) return deny(c.get("requestId"), "The bearer token is invalid or expired");
  c.set("userId", userId);
  await next();
};

export const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Guards `/internal/*`: only peers holding the shared internal token. Others see a 404, as if the route did not exist. */
export const requireInternalToken = (internalToken: string): MiddlewareHandler<AppEnv> => async (c, next) => {
  const given = c.req.header("x-internal-token");
  if (given === undefined || !sameSecret(given, internalToken)) {
    return noRoute(c);
  }
  await next();
};
