import { Config, Effect, Layer, Option } from "effect";
import { PreviewRuntime, type ResourceLimits } from "./contract.ts";
import { join } from "node:path";
import { bootArgs, bootDir, bootFile } from "./boot/boot-program.ts";
import { RuntimeUnavailable } from "./errors.ts";
import { findPython } from "./find-python.ts";
import { PortAllocator } from "./port-allocator.ts";
import { type CgroupSupport, cgroupOf, createCgroup } from "./cgroups.ts";
import { moveOntoQuota } from "./disk-quota.ts";
import { keepHeartbeat, type OrphanGuardOptions } from "./orphan-guard.ts";
import { enforcedLimits } from "./enforcement.ts";
import { outputDirOf } from "./output-pipes.ts";
import { adoptGroup, spawnGroup } from "./spawn-group.ts";
import { acceptsConnections } from "./tcp-probe.ts";

export interface HostRuntimeOptions {
  readonly python: Option.Option<string>;
  readonly limits: ResourceLimits;
  readonly cgroups: CgroupSupport;
  /** The work dir's size limit (a tmpfs of its own), when the host lets us mount one. */
  readonly diskMb: number | undefined;
  readonly stopGraceMs: number;
  /** Previews stop themselves when no orchestrator beats for a while (never re-adopted). */
  readonly orphanGuard?: OrphanGuardOptions | undefined;
}

const mib = 1024 * 1024;
const previewPath = "/usr/local/bin:/usr/bin:/bin";

/**
 * The host runtime: the preview runs as a local uvicorn on 127.0.0.1 with a port from the
 * allocator, limits set by prlimit (which execs the interpreter, so nothing stays between us and
 * it), and an environment built from nothing.
 */
export const HostRuntimeLive = (options: HostRuntimeOptions) =>
  Layer.effect(
    PreviewRuntime,
    Effect.gen(function* () {
      const ports = yield* PortAllocator;
      const searchPath = yield* Config.String("PATH").pipe(Config.withDefault(previewPath));
      const python = yield* Effect.promise(() => findPython(Option.getOrUndefined(options.python), searchPath));
      const { limits } = options;
      if (options.orphanGuard !== undefined) yield* keepHeartbeat(options.orphanGuard.heartbeat, options.orphanGuard.graceSeconds);
      return PreviewRuntime.of({
        name: "host",
        limits,
        enforced: enforcedLimits("host", options.cgroups, options.diskMb),
        warmPool: { size: 0, ready: () => 0, full: Effect.void },
        isAnswering: (upstream) => Effect.promise(() => acceptsConnections(upstream)),
        start: (spec) =>
          Effect.gen(function* () {
            if (python === undefined) {
              return yield* Effect.fail(new RuntimeUnavailable({
                message: "No python3 that can import fastapi and uvicorn was found; install them (Debian: python3-fastapi python3-uvicorn) or set ORCHESTRATOR_PYTHON",
              }));
            }
            const diskMb = options.diskMb;
            if (diskMb !== undefined) {
              yield* Effect.tryPromise({
                try: () => moveOntoQuota(spec.workDir, diskMb),
                catch: (e) => new RuntimeUnavailable({ message: `Could not give the preview its ${diskMb} MB disk quota: ${e instanceof Error ? e.message : String(e)}` }),
              });
            }
            const port = yield* ports.reserve(spec.previewId);
            const group = yield* spawnGroup({
              command: "prlimit",
              args: [
                `--as=${limits.memoryMb * mib}`, `--nproc=${limits.maxProcesses}`,
                `--fsize=${limits.fileSizeMb * mib}`, `--cpu=${limits.cpuSeconds}`, "--",
                python,
                ...bootArgs({ program: join(bootDir, bootFile), project: spec.workDir, entry: spec.entry, listen: { host: "127.0.0.1", port }, rootPath: spec.rootPath }),
              ],
              cwd: spec.workDir,
              env: { PATH: previewPath, HOME: spec.workDir, LANG: "C.UTF-8", ...spec.env },
              onOutput: spec.onOutput,
              stopGraceMs: options.stopGraceMs,
              onGone: ports.release(port),
              outputDir: outputDirOf(spec.workDir),
              cgroup: createCgroup(options.cgroups, limits),
              orphanGuard: options.orphanGuard,
            });
            return { ...group, upstream: { kind: "tcp" as const, host: "127.0.0.1", port } };
          }),
        // Its port stays reserved under its row, so only the release on its end is ours.
        adopt: (spec) =>
          adoptGroup({
            pid: spec.pid,
            startTicks: spec.startTicks,
            outputDir: outputDirOf(spec.workDir),
            onOutput: spec.onOutput,
            stopGraceMs: options.stopGraceMs,
            onGone: spec.upstream.kind === "tcp" ? ports.release(spec.upstream.port) : Effect.void,
            cgroup: cgroupOf(options.cgroups, spec.pid),
          }).pipe(Effect.flatMap((group) =>
            group !== undefined ? Effect.succeed({ ...group, upstream: spec.upstream })
            : spec.upstream.kind === "tcp" ? ports.release(spec.upstream.port).pipe(Effect.as(undefined))
            : Effect.succeed(undefined))),
      });
    }),
  );
