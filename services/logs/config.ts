import { Config } from "effect";
import { int } from "../../libs/config/int.ts";

/** Everything the logs service reads from its environment, as LOGS_<NAME>. */
export const logsConfig = Config.all({
  host: Config.String("HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.Port("PORT").pipe(Config.withDefault(8082)),
  orchestratorUrl: Config.String("ORCHESTRATOR_URL").pipe(Config.withDefault("http://127.0.0.1:8081")),
  /** Retention per preview: the oldest lines go once either limit is passed. */
  retentionLines: int("RETENTION_LINES", 100_000),
  retentionBytes: int("RETENTION_BYTES", 32 * 1024 * 1024),
  /** Live messages one subscriber may lag behind before it catches up from storage instead. */
  subscriberBuffer: int("SUBSCRIBER_BUFFER", 1024),
  pingSeconds: int("PING_SECONDS", 15),
  /** Live lines wait for a channel's previous wake-up to have cost at most 1/N of the time since it (≤ 25 ms); 0: never wait. */
  fanoutPacing: int("FANOUT_PACING", 2),
  /** How often previews with subscribers are reported to the orchestrator as active. */
  touchSeconds: int("TOUCH_SECONDS", 30),
  sseTokenSeconds: int("SSE_TOKEN_SECONDS", 600),
  /** A preview the orchestrator reports ended this long ago, with no final status stored, is treated as ended. */
  endGraceSeconds: int("END_GRACE_SECONDS", 10),
  maxIngestBytes: int("MAX_INGEST_BYTES", 8 * 1024 * 1024),
  /**
   * Each preview's rate budget at ingest (whatever sink sends): lines over it are dropped as that
   * preview's own loss, said in a system line. Above the orchestrator's own budget, so that one
   * normally decides; the burst covers a backlog delivered at once after an outage.
   */
  rateLines: int("RATE_LINES", 5000),
  burstLines: int("BURST_LINES", 60_000),
}).pipe(Config.nested("LOGS"));

export type LogsConfig = typeof logsConfig extends Config.Config<infer A> ? A : never;
