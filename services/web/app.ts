import { Hono } from "hono";
import type { AppEnv } from "../../libs/http/app-env.ts";
import { isLoopbackHost } from "../../libs/config/origins.ts";
import { errorResponse } from "../../libs/http/error-envelope.ts";
import { describeFailure } from "../../libs/http/error-mapping.ts";
import { Forbidden } from "../../libs/http/request-errors.ts";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { acceptsGzip } from "./accept-encoding.ts";
import { buildWebAssets, type WebAssets } from "./bundle.ts";
import { noRoute } from "../../libs/http/not-found.ts";
import { referenceCsp } from "./reference.ts";

export interface WebAppOptions {
  /** Local mode: the page signs in as the user `local` through POST /api/dev/token. Off: that route does not exist. */
  readonly localMode: boolean;
  readonly jwtSecret: string;
}

/** The user the page signs in as in local mode (the same id `npm run preview` uses by default). */
export const localUserId = "local";
const devTokenSeconds = 12 * 3600;

const securityHeaders = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** Strict: only this origin's own hashed assets and API; no preview (another origin) may frame or be framed by the page. */
const pageCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const sameHost = (origin: string, host: string): boolean => {
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" and other opaque origins
  }
};

/**
 * Local-mode routes hand out the local user's credentials to whoever asks, so only the page on
 * this machine may: the Host must be a loopback name (a DNS-rebound attacker.example resolving to
 * 127.0.0.1 still sends its own name) and the Origin, when a browser sends one, this very host.
 */
const localOnly = (host: string | undefined, origin: string | undefined): Forbidden | undefined => {
  if (!isLoopbackHost(host)) return new Forbidden({ reason: `Local-mode routes answer only on a loopback host (127.0.0.1, localhost, [::1]), not ${JSON.stringify((host ?? "").slice(0, 200))}` });
  if (origin !== undefined && !sameHost(origin, host ?? "")) return new Forbidden({ reason: `Local-mode routes answer only to this origin's page, not to ${JSON.stringify(origin.slice(0, 200))}` });
  return undefined;
};

/** The Preview Tab page: `GET /`, the API reference at `/api/reference`, their hashed `/assets/*`, plus the dev-only sign-in route in local mode. */
export const makeWebApp = (options: WebAppOptions) => {
  const app = new Hono<AppEnv>();
  // Built once, on first use: the gateway's API tests never pay for it.
  let assets: Promise<WebAssets> | undefined;
  const load = () => {
    assets ??= buildWebAssets({ localMode: options.localMode }).catch((e: unknown) => {
      assets = undefined;
      throw e;
    });
    return assets;
  };

  app.get("/", async (c) => {
    const { html } = await load();
    return c.body(html, 200, {
      ...securityHeaders,
      "content-type": "text/html; charset=utf-8",
      // Always revalidated: it names the current hashed assets.
      "cache-control": "no-cache",
      "content-security-policy": pageCsp,
      "x-frame-options": "DENY",
    });
  });
  // The interactive API reference over /api/openapi.json (no auth to read: it describes, it holds nothing).
  app.get("/api/reference", async (c) => {
    const { referenceHtml } = await load();
    return c.body(referenceHtml, 200, {
      ...securityHeaders,
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-cache",
      "content-security-policy": referenceCsp,
      "x-frame-options": "DENY",
    });
  });
  app.get("/assets/:name", async (c) => {
    const asset = (await load()).assets.get(c.req.param("name"));
    if (asset === undefined) return errorResponse(c.get("requestId"), { status: 404, code: "not_found", message: `No asset ${c.req.param("name")}` });
    const headers = { ...securityHeaders, "content-type": asset.type, "cache-control": "public, max-age=31536000, immutable", vary: "accept-encoding" };
    return acceptsGzip(c.req.header("accept-encoding"))
      ? c.body(asset.gzipped, 200, { ...headers, "content-encoding": "gzip" })
      : c.body(asset.body, 200, headers);
  });

  if (!options.localMode) {
    // Off: the dev routes do not exist, signed in or not (never handed on to the services).
    app.all("/api/dev/*", noRoute);
  } else {
    app.use("/api/dev/*", async (c, next) => {
      const refused = localOnly(c.req.header("host"), c.req.header("origin"));
      return refused === undefined ? next() : errorResponse(c.get("requestId"), describeFailure(refused));
    });
    app.post("/api/dev/token", async (c) => {
      const token = await signUserToken(options.jwtSecret, localUserId, devTokenSeconds);
      return c.json({ token, userId: localUserId, expiresAt: new Date(Date.now() + devTokenSeconds * 1000).toISOString() }, 200, { "cache-control": "no-store" });
    });
  }
  return app;
};
