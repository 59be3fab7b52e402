import { Config } from "effect";
import { int } from "../../libs/config/int.ts";
import type { Origins } from "../../libs/config/origins.ts";

/** Everything the gateway reads from its environment, as GATEWAY_<NAME>. */
export const gatewayConfig = Config.all({
  host: Config.String("HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.Port("PORT").pipe(Config.withDefault(8080)),
  orchestratorUrl: Config.String("ORCHESTRATOR_URL").pipe(Config.withDefault("http://127.0.0.1:8081")),
  logsUrl: Config.String("LOGS_URL").pipe(Config.withDefault("http://127.0.0.1:8082")),
  /** Comma-separated origins allowed to call the API from a browser; empty: same origin only. */
  corsOrigins: Config.String("CORS_ORIGINS").pipe(
    Config.withDefault(""),
    Config.map((list): ReadonlyArray<string> => list.split(",").map((o) => o.trim()).filter(Boolean)),
  ),
  /** How long a preview may take to send response headers through the proxy. */
  upstreamTimeoutMs: int("UPSTREAM_TIMEOUT_MS", 30_000),
  /** The services' own routes may hold a request open longer (a launch that waits). */
  apiTimeoutMs: int("API_TIMEOUT_MS", 120_000),
  maxProxyBodyBytes: int("MAX_PROXY_BODY_BYTES", 100 * 1024 * 1024),
  /** Route 5 holds a preview's answer in memory to wrap it in JSON: only this much of it. */
  maxRequestAnswerBytes: int("MAX_REQUEST_ANSWER_BYTES", 10 * 1024 * 1024),
  routeCacheMs: int("ROUTE_CACHE_MS", 2000),
  /**
   * The runner node this gateway runs beside (its ORCHESTRATOR_NODE_ID): previews on other nodes
   * are reached through their node's internal proxy. Unset: every preview at its own address (one machine).
   */
  node: Config.String("NODE_ID").pipe(Config.option),
  activityFlushMs: int("ACTIVITY_FLUSH_MS", 5000),
  /** Local mode (`npm start` turns it on): the page signs in as the user `local` via POST /api/dev/token. Never in production. */
  localMode: Config.Boolean("LOCAL_MODE").pipe(Config.withDefault(false)),
}).pipe(Config.nested("GATEWAY"));

/** Throws when GATEWAY_CORS_ORIGINS lists a preview's origin: a preview's script must never call the API with the user's credentials. */
export const checkCorsOrigins = (corsOrigins: ReadonlyArray<string>, origins: Origins): void => {
  for (const origin of corsOrigins) {
    if (origins.previewIdOfHost(URL.canParse(origin) ? new URL(origin).host : origin) !== undefined) {
      throw new Error(`GATEWAY_CORS_ORIGINS lists ${origin}, a preview's origin: a preview's script must never call the API with the user's credentials`);
    }
  }
};

export type GatewayConfig = typeof gatewayConfig extends Config.Config<infer A> ? A : never;
