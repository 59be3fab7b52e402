import { Hono } from "hono";
import { proxy } from "hono/proxy";
import type { AppEnv } from "../../libs/http/app-env.ts";
import { errorResponse } from "../../libs/http/error-envelope.ts";
import { installFallbacks } from "../../libs/http/effect-bridge.ts";
import { requestContext } from "../../libs/http/request-context.ts";
import type { Logger } from "../../libs/observability/logger.ts";

export interface GatewayAppOptions {
  readonly orchestratorUrl: string;
  readonly logger: Logger;
}

/**
 * The one public origin. For now it forwards the public API to the orchestrator (bodies streamed
 * both ways, the request id passed on); the preview proxy and the other services come with their issues.
 */
export const makeGatewayApp = (o: GatewayAppOptions) => {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext(o.logger));
  installFallbacks(app, o.logger);
  app.get("/healthz", (c) => c.json({ ok: true, service: "gateway" }));
  // Internal routes exist only between services; from outside they do not exist at all.
  app.all("/internal/*", (c) => errorResponse(c.get("requestId"), { status: 404, code: "not_found", message: `No route for ${c.req.method} ${c.req.path}` }));
  app.all("/api/*", (c) => {
    const url = new URL(c.req.url);
    return proxy(`${o.orchestratorUrl}${url.pathname}${url.search}`, {
      raw: c.req.raw,
      headers: { ...Object.fromEntries(c.req.raw.headers), "x-request-id": c.get("requestId") },
    });
  });
  return app;
};
