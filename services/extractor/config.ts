import { Config } from "effect";

/** Everything the extractor service reads from its environment, as EXTRACTOR_<NAME>. */
export const extractorConfig = Config.all({
  host: Config.String("HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.Port("PORT").pipe(Config.withDefault(8083)),
  /** A generation is at most 20 MiB of text; JSON escaping can double it on the wire. */
  maxBodyBytes: Config.Int("MAX_BODY_BYTES").pipe(Config.withDefault(48 * 1024 * 1024)),
  /** Each extraction runs in a worker thread with this V8 heap (MiB); over it, a \`budget_exceeded\` (memory) answer. */
  workerHeapMb: Config.Int("WORKER_HEAP_MB").pipe(Config.withDefault(512)),
  /** An extraction still running after this many ms is killed and answered \`budget_exceeded\` (wall time). */
  wallTimeMs: Config.Int("WALL_TIME_MS").pipe(Config.withDefault(30_000)),
  /** Extractions running at once (each in its own worker); more wait their turn. */
  concurrency: Config.Int("CONCURRENCY").pipe(Config.withDefault(2)),
}).pipe(Config.nested("EXTRACTOR"));

export type ExtractorConfig = typeof extractorConfig extends Config.Config<infer A> ? A : never;
