import type { Context } from "hono";
import type { AppEnv } from "./app-env.ts";
import { errorResponse } from "./error-envelope.ts";

/** The one answer for a path no route serves (unknown paths, internal routes seen from outside, dev routes off). */
export const noRoute = (c: Context<AppEnv>): Response =>
  errorResponse(c.get("requestId") ?? "", { status: 404, code: "not_found", message: `No route for ${c.req.method} ${c.req.path}` });
