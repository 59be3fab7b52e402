import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Effect, Schema } from "effect";
import { type Context, Hono } from "hono";
import { requireInternalToken, requireUser } from "../../libs/auth/middleware.ts";
import type { AppEnv } from "../../libs/http/app-env.ts";
import { installFallbacks, type Route } from "../../libs/http/effect-bridge.ts";
import { requestContext } from "../../libs/http/request-context.ts";
import { type LogFanout, LogStore } from "../../libs/logs/contract.ts";
import { PreviewDirectory } from "../../libs/previews/directory.ts";
import { isFinalStatus } from "../../libs/logs/schemas.ts";
import { signSseToken } from "../../libs/logs/sse-token.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import type { LogsConfig } from "./config.ts";
import { exportBody } from "./export-body.ts";
import { LogIngest } from "./ingest.ts";
import { decodeIngestBody } from "./ndjson-body.ts";
import { decodeParams } from "../../libs/http/query.ts";
import { api, logPageLimits } from "../../libs/api/routes.ts";
import { requireUserOrStreamToken } from "./stream-auth.ts";
import { nodeSink, webSink } from "./sse-sink.ts";
import { openSubscriber } from "./subscriber-stream.ts";

export type LogsServices = LogStore | LogFanout | LogIngest | PreviewDirectory;

export interface LogsAppOptions {
  readonly run: (route: Route<LogsServices>) => (c: Context<AppEnv>) => Promise<Response>;
  readonly jwtSecret: string;
  readonly internalToken: string;
  readonly config: LogsConfig;
  readonly logger: Logger;
  /** Told of each log stream's socket, so shutdown can end streams whose clients stopped reading. */
  readonly onStream?: (socket: Socket) => void;
}

const sseHeaders = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

/** The Last-Event-ID header, read as the stream's `lastEventId` parameter is. */
const lastEventIdHeader = Schema.Struct({ "Last-Event-ID": api.logsStream.query.fields.lastEventId });


/** The logs service: NDJSON ingest from the orchestrator, and the public log routes of api.md. */
export const makeLogsApp = (o: LogsAppOptions) => {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext(o.logger));
  installFallbacks(app, o.logger);
  app.get("/healthz", (c) => c.json({ ok: true, service: "logs" }));

  const internal = new Hono<AppEnv>();
  internal.use("*", requireInternalToken(o.internalToken));
  internal.post("/logs", o.run((c) => Effect.gen(function* () {
    const records = yield* decodeIngestBody(c.req.raw, o.config.maxIngestBytes);
    return Response.json(yield* (yield* LogIngest).ingest(records));
  })));
  app.route("/internal", internal);

  const latest = (c: Context<AppEnv>) =>
    Effect.gen(function* () {
      return yield* (yield* PreviewDirectory).latestFor(c.get("userId"), c.req.param("generationId") ?? "");
    });

  const logs = "/api/generations/:generationId/preview/logs";
  app.get(`${logs}/stream`, requireUserOrStreamToken(o.jwtSecret), o.run((c) => Effect.gen(function* () {
    const query = yield* decodeParams(api.logsStream.query, c.req.query());
    const header = c.req.header("last-event-id");
    const lastEventId = header === undefined
      ? query.lastEventId
      : (yield* decodeParams(lastEventIdHeader, { "Last-Event-ID": header }, "Invalid header"))["Last-Event-ID"];
    // More than is retained is all that is retained.
    const tail = query.tail === undefined ? undefined : Math.min(query.tail, o.config.retentionLines);
    const preview = yield* latest(c);
    const endedLongAgo = preview.stoppedAt !== null && Date.now() - Date.parse(preview.stoppedAt) > o.config.endGraceSeconds * 1000;
    const subscriber = yield* openSubscriber({
      previewId: preview.previewInstanceId,
      retryMs: 2000,
      pageSize: 500,
      ...(lastEventId === undefined ? {} : { lastEventId }),
      ...(tail === undefined ? {} : { tail }),
      ...(isFinalStatus(preview.status) && endedLongAgo ? { endedAs: preview.status } : {}),
    });
    // On Node the subscriber writes to the response itself: no web stream between it and the socket.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing === undefined) {
      const { body, sink } = webSink();
      subscriber.start(sink);
      return new Response(body, { headers: sseHeaders });
    }
    outgoing.writeHead(200, { ...sseHeaders, "x-request-id": c.get("requestId") });
    if (o.onStream !== undefined && outgoing.socket !== null) o.onStream(outgoing.socket);
    subscriber.start(nodeSink(outgoing));
    // @hono/node-server's documented marker: the handler answered on the Node response itself.
    return RESPONSE_ALREADY_SENT;
  })));

  app.post(`${logs}/token`, requireUser(o.jwtSecret), o.run((c) => Effect.gen(function* () {
    const generationId = c.req.param("generationId") ?? "";
    // A generation with no preview yet is the user's all the same: a tab may ask before launching.
    yield* latest(c).pipe(Effect.catchTag("PreviewNotFound", () => Effect.void));
    const grant = yield* Effect.promise(() => signSseToken(o.jwtSecret, { userId: c.get("userId"), generationId }, o.config.sseTokenSeconds));
    return Response.json(grant);
  })));

  app.get(logs, requireUser(o.jwtSecret), o.run((c) => Effect.gen(function* () {
    const { after = 0, limit = logPageLimits.default, level: minLevel } = yield* decodeParams(api.logs.query, c.req.query());
    const preview = yield* latest(c);
    const lines = yield* (yield* LogStore).page(preview.previewInstanceId, { after, limit, ...(minLevel === undefined ? {} : { minLevel }) });
    return Response.json({ previewInstanceId: preview.previewInstanceId, logs: lines, nextAfter: lines.at(-1)?.id ?? after });
  })));

  app.get(`${logs}/export`, requireUser(o.jwtSecret), o.run((c) => Effect.gen(function* () {
    const { format = "text" } = yield* decodeParams(api.logsExport.query, c.req.query());
    const preview = yield* latest(c);
    const body = yield* exportBody(preview.previewInstanceId, format);
    return new Response(body, {
      headers: {
        "content-type": format === "ndjson" ? "application/x-ndjson; charset=utf-8" : "text/plain; charset=utf-8",
        "content-disposition": `attachment; filename="preview-${preview.previewInstanceId}-logs.${format === "ndjson" ? "ndjson" : "txt"}"`,
      },
    });
  })));
  return app;
};
