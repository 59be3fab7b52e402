import { Config } from "effect";

const int = (name: string, fallback: number) => Config.Int(name).pipe(Config.withDefault(fallback));

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
  maxProcesses: int("MAX_PROCESSES", 256),
  fileSizeMb: int("FILE_SIZE_MB", 256),
  maxFiles: int("MAX_FILES", 2000),
  maxFileBytes: int("MAX_FILE_BYTES", 1024 * 1024),
  maxTotalBytes: int("MAX_TOTAL_BYTES", 20 * 1024 * 1024),
}).pipe(Config.nested("ORCHESTRATOR"));

export type OrchestratorConfig = typeof orchestratorConfig extends Config.Config<infer A> ? A : never;
