import { type Context, Hono } from "hono";
import { Effect } from "effect";
import { requireInternalToken } from "../../libs/auth/middleware.ts";
import { EndpointExtractor, ExtractBody } from "../../libs/extractor/contract.ts";
import type { AppEnv } from "../../libs/http/app-env.ts";
import { installFallbacks, type Route } from "../../libs/http/effect-bridge.ts";
import { decodeJsonBody } from "../../libs/http/json-body.ts";
import { requestContext } from "../../libs/http/request-context.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { checkLibraryDirs } from "./library-roots.ts";

export interface ExtractorAppOptions {
  readonly run: (route: Route<EndpointExtractor>) => (c: Context<AppEnv>) => Promise<Response>;
  readonly internalToken: string;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  /** Dirs under which a request may name library dirs (library-roots.ts). */
  readonly libraryRoots: ReadonlyArray<string>;
}

/** The extractor service's routes: files in, endpoints out, for peers only. */
export const makeExtractorApp = (o: ExtractorAppOptions) => {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext(o.logger));
  installFallbacks(app, o.logger);
  app.get("/healthz", (c) => c.json({ ok: true, service: "extractor" }));

  const internal = new Hono<AppEnv>();
  internal.use("*", requireInternalToken(o.internalToken));
  internal.post("/extract", o.run((c) => Effect.gen(function* () {
    const body = yield* decodeJsonBody(c.req.raw, ExtractBody, o.maxBodyBytes);
    const libraries = yield* checkLibraryDirs(body.libraries ?? [], o.libraryRoots);
    const extractor = yield* EndpointExtractor;
    const options = {
      ...(body.entry === undefined ? {} : { entry: body.entry }),
      ...(body.env === undefined ? {} : { env: body.env }),
      libraries,
    };
    // A worker's answer is already JSON: sent on as it came, not parsed and stringified again.
    const json = extractor.extractJson ? yield* extractor.extractJson(body.files, options) : JSON.stringify(yield* extractor.extract(body.files, options));
    return new Response(json, { headers: { "content-type": "application/json" } });
  })));
  app.route("/internal", internal);
  return app;
};
