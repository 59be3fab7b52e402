import type { MiddlewareHandler } from "hono";
import { deny, requireUser } from "../../libs/auth/middleware.ts";
import type { AppEnv } from "../../libs/http/app-env.ts";
import { verifySseToken } from "../../libs/logs/sse-token.ts";

/**
 * The log stream's auth: a `?token=` log-stream token (EventSource cannot send headers) bound to
 * this very generation, or else the user's bearer JWT.
 */
export const requireUserOrStreamToken = (jwtSecret: string): MiddlewareHandler<AppEnv> => {
  const bearer = requireUser(jwtSecret);
  return async (c, next) => {
    const token = c.req.query("token");
    if (token === undefined) return bearer(c, next);
    const grant = await verifySseToken(jwtSecret, token);
    if (grant === undefined || grant.generationId !== c.req.param("generationId")) {
      return deny(c.get("requestId"), "The log stream token is invalid, expired or for another generation");
    }
    c.set("userId", grant.userId);
    await next();
  };
};
