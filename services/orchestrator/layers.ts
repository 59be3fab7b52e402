import { join, resolve } from "node:path";
import { Effect, Layer, Option } from "effect";
import { PlatformSecretsLive } from "../../libs/auth/platform-secrets.ts";
import { originsConfig } from "../../libs/config/origins.ts";
import { platformConfig } from "../../libs/config/platform.ts";
import { IsolatedEndpointExtractor } from "../../libs/extractor/isolated-extractor.ts";
import { HttpEndpointExtractor } from "../../libs/extractor/http-extractor.ts";
import type { LogSink } from "../../libs/logsink/contract.ts";
import { type CgroupSupport, detectCgroups, removeStaleCgroups } from "../../libs/runtime/cgroups.ts";
import { canMountQuota } from "../../libs/runtime/disk-quota.ts";
import { findPython } from "../../libs/runtime/find-python.ts";
import { HostRuntimeLive } from "../../libs/runtime/host-runtime.ts";
import { readRecipe } from "../../libs/runtime/image/recipe.ts";
import { imagesDirOf, sandboxAvailable, SandboxRuntimeLive } from "../../libs/runtime/sandbox-runtime.ts";
import { orchestratorConfig } from "./config.ts";
import { databaseChoice } from "../../libs/db/database-config.ts";
import { orchestratorStoreLayer } from "./store/store-layer.ts";
import { EndpointCatalogLive } from "./endpoint-catalog.ts";
import { hostLibraries, sandboxLibraries } from "./runtime-libraries.ts";
import { GenerationStoreLive } from "./generation-store.ts";
import { PortReservationsLive } from "./port-reservations.ts";
import { PreviewListingLive } from "./preview-listing.ts";
import { PreviewManagerLive } from "./preview-manager.ts";
import { nodeIdentity } from "./node-identity.ts";
import { RunnerNodeLive } from "./runner-node.ts";
import { PlacementLive } from "./placement.ts";
import { NodeProxyLive } from "./node-proxy.ts";
import { isDeno } from "../../libs/js-runtime/is-deno.ts";
import { FetchUpstreamClientLive } from "../../libs/proxy/fetch-upstream-client.ts";
import { NodeUpstreamLive } from "../../libs/proxy/node-upstream-client.ts";

/**
 * The orchestrator's services, wired from its config. The log sink is a parameter: in-process
 * for tests and all-in-one runs, an HTTP client of the logs service when split.
 */
export const orchestratorLayer = <ROut, E>(logSink: Layer.Layer<ROut | LogSink, E>) =>
  Layer.unwrap(Effect.gen(function* () {
    const config = yield* orchestratorConfig;
    const platform = yield* platformConfig;
    const origins = yield* originsConfig;
    const dataDir = resolve(platform.dataDir);
    const db = orchestratorStoreLayer(dataDir);
    const generations = GenerationStoreLive({
      root: Option.getOrElse(Option.map(config.generationsDir, (dir) => resolve(dir)), () => join(dataDir, "generations")),
      limits: { maxFiles: config.maxFiles, maxFileBytes: config.maxFileBytes, maxTotalBytes: config.maxTotalBytes },
      quota: { maxGenerations: config.maxGenerationsPerUser, maxBytes: config.maxGenerationBytesPerUser },
    }).pipe(Layer.provide(db));
    const limits = { memoryMb: config.memoryMb, cpuSeconds: config.cpuSeconds, cpuPercent: config.cpuPercent, maxProcesses: config.maxProcesses, fileSizeMb: config.fileSizeMb };
    const cgroups: CgroupSupport = config.cgroups === "off" ? { kind: "none", why: "ORCHESTRATOR_CGROUPS=off" } : detectCgroups();
    removeStaleCgroups(cgroups);
    const diskMb = config.diskMb > 0 && (yield* Effect.promise(canMountQuota)) ? config.diskMb : undefined;
    const imagesDir = imagesDirOf(dataDir, config.runtimeImageDir);
    const orphanGuard = { heartbeat: join(dataDir, "previews", ".orchestrator-heartbeat"), graceSeconds: config.orphanGraceSeconds, stopGraceSeconds: config.stopGraceMs / 1000 };
    const recipe = config.runtime === "host" ? undefined : readRecipe();
    // auto: the sandbox where it can run (bwrap and a built image), else the host runtime.
    const venvsDir = join(dataDir, "runtime", "venvs");
    const sandboxed = recipe !== undefined && (config.runtime === "sandbox" || sandboxAvailable(imagesDir, recipe));
    const runtime = sandboxed
      ? SandboxRuntimeLive({
        imagesDir, recipe, limits, cgroups,
        venvsDir,
        mirror: config.runtimeMirror,
        autoBuild: config.runtimeAutoBuild,
        stopGraceMs: config.stopGraceMs,
        uidBase: config.sandboxUidBase,
        uidCount: config.sandboxUids,
        tmpMb: config.sandboxTmpMb,
        pipIndexUrl: config.pipIndexUrl,
        pipFindLinks: config.pipFindLinks,
        warmPoolSize: config.warmPoolSize,
        // Beside the work dirs: a slot's dir becomes a preview's work dir by a rename.
        warmDir: join(dataDir, "previews", ".warm"),
        orphanGuard,
        diskMb,
      })
      : HostRuntimeLive({ python: config.python, limits, cgroups, diskMb, stopGraceMs: config.stopGraceMs, orphanGuard })
        .pipe(Layer.provide(PortReservationsLive({ from: config.portRangeFrom, to: config.portRangeTo }).pipe(Layer.provide(db))));
    const node = RunnerNodeLive(nodeIdentity(config, join(dataDir, "previews"), (yield* databaseChoice).kind === "postgres")).pipe(Layer.provide(Layer.mergeAll(db, logSink)));
    const previews = PreviewManagerLive({
      origins,
      previewsRoot: join(dataDir, "previews"),
      startupTimeoutSeconds: config.startupTimeoutSeconds,
      ttlSeconds: config.ttlSeconds,
      idleSeconds: config.idleSeconds,
      maxExtensions: config.maxExtensions,
      extendSeconds: config.extendSeconds,
      maxInstancesPerUser: config.maxInstancesPerUser,
      stopGraceMs: config.stopGraceMs,
      sweepIntervalMs: config.sweepIntervalMs,
    }).pipe(Layer.provide(Layer.mergeAll(db, generations, runtime, logSink, node)));
    const extractor = Option.match(config.extractorUrl, {
      onNone: () => IsolatedEndpointExtractor({ heapMb: config.extractorHeapMb, wallTimeMs: config.extractorWallTimeMs, concurrency: 2 }),
      onSome: (url) => HttpEndpointExtractor({ url, timeoutMs: config.extractorTimeoutMs }).pipe(Layer.provide(PlatformSecretsLive)),
    });
    // A preview that does not hand over its OpenAPI quickly is answered from the source instead.
    const libraries = sandboxed
      ? sandboxLibraries({ imagesDir, recipe, venvsDir, indexUrl: Option.getOrUndefined(config.pipIndexUrl), findLinks: Option.getOrUndefined(config.pipFindLinks) })
      : yield* hostLibraries(Option.match(config.python, {
        onSome: (python) => Effect.succeed(python),
        onNone: () => Effect.promise(() => findPython(undefined, process.env.PATH ?? "")).pipe(Effect.map((found) => found ?? "python3")),
      }));
    const catalog = EndpointCatalogLive({ capacity: config.endpointCacheSize, liveTimeoutMs: 2000, libraries }).pipe(
      Layer.provide(Layer.mergeAll(previews, generations, extractor, db)),
    );
    const listing = PreviewListingLive({ origins }).pipe(Layer.provide(db));
    const placement = PlacementLive.pipe(Layer.provide(Layer.mergeAll(db, node, PlatformSecretsLive)));
    // This node's previews for gateways on other machines, over the same upstream client as a gateway's.
    const upstreams = isDeno ? FetchUpstreamClientLive : NodeUpstreamLive;
    const nodeProxy = NodeProxyLive({ timeoutMs: config.relayTimeoutMs, maxBodyBytes: config.relayMaxBodyBytes })
      .pipe(Layer.provideMerge(Layer.mergeAll(upstreams, previews, node)));
    return Layer.mergeAll(previews, generations, logSink, PlatformSecretsLive, catalog, listing, node, placement, nodeProxy);
  }));
