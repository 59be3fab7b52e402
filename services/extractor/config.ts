import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { Config, Option } from "effect";

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
  /** Comma-separated dirs under which requests may name library (site-packages) dirs; default: DATA_DIR/runtime, ORCHESTRATOR_RUNTIME_IMAGE_DIR and the system Python's dirs. */
  libraryRoots: Config.String("LIBRARY_ROOTS").pipe(Config.option),
}).pipe(Config.nested("EXTRACTOR"));

export type ExtractorConfig = typeof extractorConfig extends Config.Config<infer A> ? A : never;

/** The system Python's package dirs (/usr/lib/python3*, /usr/local/lib/python3*): what the host runtime's Debian Python imports. */
const systemPythonDirs = (): ReadonlyArray<string> =>
  ["/usr/lib", "/usr/local/lib"].flatMap((lib) => {
    try {
      return readdirSync(lib).filter((name) => /^python3(\.\d+)?$/.test(name)).map((name) => join(lib, name));
    } catch {
      return [];
    }
  });

/** The library roots: as configured, else where the orchestrator on this machine keeps its images and venvs, and the system Python's. */
export const libraryRootsOf = (configured: Option.Option<string>) =>
  Option.match(configured, {
    onSome: (list) => Config.succeed(list.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => resolve(s))),
    onNone: () =>
      Config.all({
        dataDir: Config.String("DATA_DIR").pipe(Config.withDefault("./.data")),
        imageDir: Config.String("RUNTIME_IMAGE_DIR").pipe(Config.option, Config.nested("ORCHESTRATOR")),
      }).pipe(Config.map(({ dataDir, imageDir }) => [join(resolve(dataDir), "runtime"), ...Option.toArray(Option.map(imageDir, (d) => resolve(d))), ...systemPythonDirs()])),
  });
