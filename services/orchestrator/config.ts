import { Config } from "effect";
import { int } from "../../libs/config/int.ts";
import type { OutboxSinkOptions } from "../../libs/logsink/outbox-sink.ts";
import { defaultMirror } from "../../libs/runtime/image/image-store.ts";

/** Everything the orchestrator reads from its environment, as ORCHESTRATOR_<NAME>. */
export const orchestratorConfig = Config.all({
  host: Config.String("HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.Port("PORT").pipe(Config.withDefault(8081)),
  python: Config.String("PYTHON").pipe(Config.option),
  portRangeFrom: Config.Port("PORT_RANGE_FROM").pipe(Config.withDefault(20000)),
  portRangeTo: Config.Port("PORT_RANGE_TO").pipe(Config.withDefault(29999)),
  startupTimeoutSeconds: int("STARTUP_TIMEOUT_SECONDS", 30),
  ttlSeconds: int("TTL_SECONDS", 3600),
  idleSeconds: int("IDLE_SECONDS", 1800),
  maxExtensions: int("MAX_EXTENSIONS", 3),
  extendSeconds: int("EXTEND_SECONDS", 1800),
  maxInstancesPerUser: int("MAX_INSTANCES_PER_USER", 3),
  stopGraceMs: int("STOP_GRACE_MS", 5000),
  sweepIntervalMs: int("SWEEP_INTERVAL_MS", 2000),
  memoryMb: int("MEMORY_MB", 1024),
  cpuSeconds: int("CPU_SECONDS", 900),
  /** Percent of one CPU a preview's processes may use together, where cgroups allow (100 = one core). */
  cpuPercent: int("CPU_PERCENT", 100),
  /** A preview's work dir is a tmpfs of this size (memory-backed; 0 = no disk quota). */
  diskMb: int("DISK_MB", 512),
  /** Per-preview control groups for the process count and CPU share: auto (where the host allows) or off. */
  cgroups: Config.Literals(["auto", "off"], "CGROUPS").pipe(Config.withDefault("auto" as const)),
  maxProcesses: int("MAX_PROCESSES", 256),
  fileSizeMb: int("FILE_SIZE_MB", 256),
  /** auto: the sandbox when bwrap and its image are there, else the host runtime. */
  runtime: Config.Literals(["auto", "sandbox", "host"], "RUNTIME").pipe(Config.withDefault("auto" as const)),
  /** Built sandbox images, by recipe hash; default DATA_DIR/runtime/images. */
  runtimeImageDir: Config.String("RUNTIME_IMAGE_DIR").pipe(Config.option),
  runtimeMirror: Config.String("RUNTIME_MIRROR").pipe(Config.withDefault(defaultMirror)),
  /** With RUNTIME=sandbox, build a missing image on the first launch. */
  runtimeAutoBuild: Config.Boolean("RUNTIME_AUTO_BUILD").pipe(Config.withDefault(true)),
  /** The pip index for missing requirements (`off` for none) and a wheelhouse (dir or URL). */
  pipIndexUrl: Config.String("PIP_INDEX_URL").pipe(Config.option),
  pipFindLinks: Config.String("PIP_FIND_LINKS").pipe(Config.option),
  /** Each sandboxed preview runs as its own uid from this base (its process limit is its own). */
  sandboxUidBase: int("SANDBOX_UID_BASE", 200_000),
  /** How many uids from the base previews may take (one each, at once). */
  sandboxUids: int("SANDBOX_UIDS", 50_000),
  sandboxTmpMb: int("SANDBOX_TMP_MB", 64),
  /** A preview whose orchestrator is gone this long (none came back to re-adopt it) stops itself. */
  orphanGraceSeconds: int("ORPHAN_GRACE_SECONDS", 300),
  /** Sandboxes started ahead of demand with the common modules imported; 0 turns warm launches off. */
  warmPoolSize: int("WARM_POOL_SIZE", 2),
  maxFiles: int("MAX_FILES", 2000),
  maxFileBytes: int("MAX_FILE_BYTES", 1024 * 1024),
  maxTotalBytes: int("MAX_TOTAL_BYTES", 20 * 1024 * 1024),
  /** Per user: generations stored, and their files' bytes in all; an upload past either is refused. */
  maxGenerationsPerUser: int("MAX_GENERATIONS_PER_USER", 500),
  maxGenerationBytesPerUser: int("MAX_GENERATION_BYTES_PER_USER", 1024 * 1024 * 1024),
  /** The extractor service; without it, endpoints are extracted in process (tests, all-in-one runs). */
  extractorUrl: Config.String("EXTRACTOR_URL").pipe(Config.option),
  extractorTimeoutMs: int("EXTRACTOR_TIMEOUT_MS", 60_000),
  /** Without EXTRACTOR_URL, extraction runs here, each in a worker thread with this heap (MiB) and wall time (ms). */
  extractorHeapMb: int("EXTRACTOR_HEAP_MB", 512),
  extractorWallTimeMs: int("EXTRACTOR_WALL_TIME_MS", 30_000),
  /** Static extractions kept in memory, by content hash (least recently used go first). */
  endpointCacheSize: int("ENDPOINT_CACHE_SIZE", 300),
  /** The logs service the split orchestrator sends lines to (all-in-one hands them over in process). */
  logsUrl: Config.String("LOGS_URL").pipe(Config.withDefault("http://127.0.0.1:8082")),
  logsBufferLines: int("LOGS_BUFFER_LINES", 50_000),
  /** Of those, the most one preview may hold, so one preview's flood cannot cost another its lines. */
  logsPreviewBufferLines: int("LOGS_PREVIEW_BUFFER_LINES", 10_000),
  /** Each preview's log rate budget: lines over it (after a burst allowance) are dropped and counted as its own. */
  logsRateLines: int("LOGS_RATE_LINES", 2000),
  logsBurstLines: int("LOGS_BURST_LINES", 5000),
  /**
   * Where uploaded generations' files live (default DATA_DIR/generations). Nodes of one cluster
   * share it (one directory on one machine, a shared volume across machines): any node may run,
   * and any replica describe, a generation another took in.
   */
  generationsDir: Config.String("GENERATIONS_DIR").pipe(Config.option),
  /** This process as a runner node: its name (default: host name and port), see node-identity.ts. */
  nodeId: Config.String("NODE_ID").pipe(Config.option),
  /** Where other nodes reach this one's internal routes (default http://HOST:PORT). */
  nodeUrl: Config.String("NODE_URL").pipe(Config.option),
  /** Live previews this node takes; placement sends launches past it elsewhere. */
  nodeCapacity: int("NODE_CAPACITY", 50),
  /** A node that has not renewed its lease for this long is lost: its previews end as crashed. */
  nodeLeaseMs: int("NODE_LEASE_MS", 15_000),
  /** A preview relayed for a gateway on another machine (node-proxy.ts): how long it may take to send response headers. */
  relayTimeoutMs: int("RELAY_TIMEOUT_MS", 30_000),
  /** And the largest request body relayed to it (the gateway bounds it too, by its own limit). */
  relayMaxBodyBytes: int("RELAY_MAX_BODY_BYTES", 100 * 1024 * 1024),
  /** On SIGTERM, drain (stop its previews, leave the cluster); auto: with PostgreSQL (DATABASE_URL), where other nodes take the launches. */
  drainOnStop: Config.Literals(["auto", "on", "off"], "DRAIN_ON_STOP").pipe(Config.withDefault("auto" as const)),
}).pipe(Config.nested("ORCHESTRATOR"));

export type OrchestratorConfig = typeof orchestratorConfig extends Config.Config<infer A> ? A : never;

/** The log sink's bounds: the whole outbox, each preview's share of it and each preview's rate. */
export const logSinkOptions = (c: OrchestratorConfig): OutboxSinkOptions => ({
  bufferLines: c.logsBufferLines,
  previewBufferLines: c.logsPreviewBufferLines,
  rate: { linesPerSecond: c.logsRateLines, burstLines: c.logsBurstLines },
});
