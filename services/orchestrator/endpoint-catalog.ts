import { createHash } from "node:crypto";
import { Cache, Context, Duration, Effect, Equal, Exit, Hash, Layer, Option } from "effect";
import { EndpointExtractor } from "../../libs/extractor/contract.ts";
import type { ExtractionResult } from "../../libs/extractor/endpoint.ts";
import type { EndpointsView } from "../../libs/extractor/endpoints-view.ts";
import { readProject } from "../../libs/extractor/read-project.ts";
import { Generations, type StoredGeneration } from "../../libs/generations/contract.ts";
import type { GenerationNotFound } from "../../libs/generations/errors.ts";
import type { PeerUnavailable } from "../../libs/peers/errors.ts";
import { Previews, type StatusView } from "../../libs/previews/contract.ts";
import type { PreviewNotFound } from "../../libs/previews/errors.ts";
import type { Upstream } from "../../libs/runtime/contract.ts";
import { formatEntry } from "../../libs/runtime/entry.ts";
import { readLiveOpenApi } from "./live-openapi.ts";
import { type LibrarySet, noLibraries, type RuntimeLibraries } from "./runtime-libraries.ts";
import { endpointsOfRoutes, enrichFromOpenApi } from "./live-routes.ts";
import { endpointsOfOpenApi, mergeLive } from "./openapi-endpoints.ts";
import { OrchestratorStore } from "./store/contract.ts";

/** A generation's endpoints: from its running preview's OpenAPI when there is one, else from its source. */
export class EndpointCatalog extends Context.Service<EndpointCatalog, {
  /** Route 4: works with or without a preview. */
  readonly endpoints: (userId: string, generationId: string) => Effect.Effect<EndpointsView, GenerationNotFound | PeerUnavailable>;
  /** The latest preview's status with `generatedEndpoints` filled. */
  readonly status: (userId: string, generationId: string) => Effect.Effect<StatusView, GenerationNotFound | PreviewNotFound>;
}>()("orchestrator/EndpointCatalog") {}

/** A cache key compared by `id` alone, carrying what the lookup needs. */
class Keyed<P> implements Equal.Equal {
  readonly id: string;
  readonly payload: P;
  constructor(id: string, payload: P) {
    this.id = id;
    this.payload = payload;
  }
  [Equal.symbol](that: Equal.Equal): boolean {
    return that instanceof Keyed && that.id === this.id;
  }
  [Hash.symbol](): number {
    return Hash.string(this.id);
  }
}

/** Failures are not kept: the next request tries again. */
const keepSuccesses = (exit: Exit.Exit<unknown, unknown>) => (Exit.isSuccess(exit) ? Duration.infinity : Duration.zero);

const utf8 = new TextDecoder();

/** Only the Python sources and the .env the boot program applies: nothing else is analysed, so nothing else travels to the extractor. */
const pythonSources = (dir: string) =>
  Effect.sync(() => {
    const files: Record<string, string> = {};
    for (const [path, content] of readProject(dir).files) if (path.endsWith(".py") || path === ".env") files[path] = utf8.decode(content);
    return files;
  });

export const EndpointCatalogLive = (options: {
  readonly capacity: number;
  readonly liveTimeoutMs: number;
  /** The preview runtime's installed packages, followed by the extractor; none when absent. */
  readonly libraries?: RuntimeLibraries;
}) =>
  Layer.effect(
    EndpointCatalog,
    Effect.gen(function* () {
      const generations = yield* Generations;
      const previews = yield* Previews;
      const extractor = yield* EndpointExtractor;
      // The generation's launch env (its latest launch's), which the preview imports the app with.
      const store = yield* Effect.serviceOption(OrchestratorStore);
      const launchEnvOf = (generationId: string): Effect.Effect<Readonly<Record<string, string>>> =>
        Option.isSome(store) ? store.value.environments.load(generationId) : Effect.succeed({});

      const librariesOf = options.libraries ?? noLibraries;
      // Keyed by content, the entry the preview would run and the installed packages it would see.
      const fromSource = yield* Cache.makeWith((key: Keyed<{ readonly generation: StoredGeneration; readonly libraries: LibrarySet; readonly env: Readonly<Record<string, string>> }>) =>
        Effect.gen(function* () {
          const { generation, libraries, env } = key.payload;
          const files = yield* pythonSources(generation.dir);
          const entry = generation.entry;
          return yield* extractor.extract(files, { ...(entry === undefined ? {} : { entry: formatEntry(entry) }), libraries: libraries.dirs, env });
        }), { capacity: options.capacity, timeToLive: keepSuccesses });

      // The app's own route table (from the boot program) is the list; its OpenAPI document, wherever
      // the app put it, only describes those routes. A running preview serves the same app until it
      // ends (or a live reload changes its files: hence the content hash in the key), so one read per
      // preview version is enough, and status polling does not fill its access log.
      const fromPreview = yield* Cache.makeWith((key: Keyed<{ readonly id: string; readonly upstream: Upstream }>) =>
        Effect.gen(function* () {
          const report = yield* previews.bootReport(key.payload.id);
          const openApi = (path: string | undefined) => readLiveOpenApi(key.payload.upstream, options.liveTimeoutMs, path).pipe(Effect.flatMap(endpointsOfOpenApi));
          if (report?.routes === undefined) return yield* openApi(undefined);
          const routes = endpointsOfRoutes(report.routes);
          if (report.openapiUrl === null || report.openapiUrl === undefined) return routes;
          const documented = yield* openApi(report.openapiUrl).pipe(Effect.orElseSucceed(() => []));
          return enrichFromOpenApi(routes, documented);
        }), { capacity: options.capacity, timeToLive: keepSuccesses });

      const staticOf = (generation: StoredGeneration): Effect.Effect<ExtractionResult, PeerUnavailable> =>
        Effect.gen(function* () {
          const libraries = yield* librariesOf(generation.dir);
          const env = yield* launchEnvOf(generation.generationId);
          const entry = generation.entry;
          // The env's values are secrets: the key holds their hash only.
          const envHash = createHash("sha256").update(JSON.stringify(Object.entries(env).sort())).digest("hex");
          const id = `${generation.contentHash}\u0000${entry === undefined ? "" : formatEntry(entry)}\u0000${libraries.identity}\u0000${envHash}`;
          return yield* Cache.get(fromSource, new Keyed(id, { generation, libraries, env }));
        });

      /** The live endpoints of the latest preview if it is running and answers; undefined otherwise. */
      const liveOf = (generation: StoredGeneration, latest: StatusView | undefined) =>
        Effect.gen(function* () {
          if (latest?.status !== "running") return undefined;
          const route = yield* previews.route(latest.previewInstanceId).pipe(Effect.option);
          if (route._tag === "None" || route.value.upstream === null) return undefined;
          const key = `${latest.previewInstanceId}\u0000${generation.contentHash}`;
          const live = yield* Cache.get(fromPreview, new Keyed(key, { id: latest.previewInstanceId, upstream: route.value.upstream })).pipe(Effect.option);
          return live._tag === "Some" ? live.value : undefined;
        });

      const catalogOf = (generation: StoredGeneration, latest: StatusView | undefined) =>
        Effect.gen(function* () {
          const live = yield* liveOf(generation, latest);
          if (live === undefined) {
            const found = yield* staticOf(generation);
            return { source: "static" as const, endpoints: found.endpoints, diagnostics: found.diagnostics };
          }
          // The live list stands on its own; the source only adds locations, so its absence is no failure.
          const found = yield* staticOf(generation).pipe(Effect.option);
          const fromSource = found._tag === "Some" ? found.value : { endpoints: [], diagnostics: [] };
          return { source: "live" as const, endpoints: mergeLive(live, fromSource.endpoints), diagnostics: fromSource.diagnostics };
        });

      return EndpointCatalog.of({
        endpoints: (userId, generationId) =>
          Effect.gen(function* () {
            const generation = yield* generations.locate(userId, generationId);
            const latest = yield* previews.status(userId, generationId).pipe(
              Effect.catchTag("PreviewNotFound", () => Effect.succeed(undefined)),
            );
            return yield* catalogOf(generation, latest);
          }),
        status: (userId, generationId) =>
          Effect.gen(function* () {
            const generation = yield* generations.locate(userId, generationId);
            const view = yield* previews.status(userId, generationId);
            // A status answers whatever happens to the extractor: its endpoints are then just empty.
            const catalog = yield* catalogOf(generation, view).pipe(Effect.option);
            return { ...view, generatedEndpoints: catalog._tag === "Some" ? catalog.value.endpoints : [] };
          }),
      });
    }),
  );
