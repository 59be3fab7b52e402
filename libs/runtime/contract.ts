import { Context, type Effect } from "effect";
import type { AppEntry } from "./entry.ts";
import type { RequirementsUnavailable, RuntimeUnavailable } from "./errors.ts";

/** Where a running preview answers: a host TCP port or a Unix socket (the sandbox). */
export type Upstream =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "unix"; readonly path: string };

export interface OutputChunk {
  readonly stream: "stdout" | "stderr";
  readonly line: string;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** Why the runtime ended it, when it did (e.g. over its memory limit). */
  readonly reason?: string;
}

export interface LaunchSpec {
  readonly previewId: string;
  readonly workDir: string;
  readonly entry: AppEntry;
  /** uvicorn `--root-path`: "" since each preview is served at the root of its own origin (libs/config/origins.ts). */
  readonly rootPath: string;
  /** The preview's own variables; the runtime adds only what a process needs (PATH, HOME, LANG). */
  readonly env: Readonly<Record<string, string>>;
  readonly onOutput: (chunk: OutputChunk) => void;
  /** The runtime's own progress and warnings (image build, requirements), as system lines. */
  readonly onSystemLine?: (message: string, level: "INFO" | "WARN") => void;
}

/** A preview a previous orchestrator started, as its row remembers it. */
export interface AdoptionSpec {
  readonly previewId: string;
  readonly workDir: string;
  readonly pid: number;
  readonly startTicks: string;
  readonly upstream: Upstream;
  readonly onOutput: (chunk: OutputChunk) => void;
}

/** A requirements.txt line the runtime could not install, and why (e.g. "no package index reachable"). */
export interface UnresolvedRequirement {
  readonly line: string;
  readonly reason: string;
}

export interface PreviewProcess {
  readonly pid: number;
  /** Requirements it runs without (best effort: they never stop a launch by themselves). */
  readonly unresolvedRequirements?: ReadonlyArray<UnresolvedRequirement>;
  /** Kernel start time of `pid`, so a recycled pid is never mistaken for ours. */
  readonly startTicks: string;
  readonly upstream: Upstream;
  /** Completes once the process group is gone, its output drained and its resources released. */
  readonly exited: Effect.Effect<ProcessExit>;
  /** SIGTERM to the whole group, SIGKILL after the grace period; completes when exited. */
  readonly stop: Effect.Effect<ProcessExit>;
  /** It took a warm pool slot (a sandbox started ahead with the common modules imported). */
  readonly warm?: boolean;
  /**
   * Once it answers, before anything is sent to it: makes its address one it cannot redirect
   * (libs/runtime/socket-seal.ts); fails if it already did. None where the address is not its to change.
   */
  readonly seal?: Effect.Effect<void, RuntimeUnavailable>;
}

/** Sandboxes started ahead of demand; size 0 when the runtime keeps none. */
export interface WarmPoolView {
  readonly size: number;
  /** Slots ready for a launch now. */
  readonly ready: () => number;
  /** Completes once every slot is ready (tests and the launch benchmark wait on it). */
  readonly full: Effect.Effect<void>;
}

export interface ResourceLimits {
  readonly memoryMb: number;
  readonly cpuSeconds: number;
  /** Percent of one CPU the preview's processes may use together (a cgroup's CPU quota). */
  readonly cpuPercent: number;
  readonly maxProcesses: number;
  readonly fileSizeMb: number;
}

/** Runs previews. Layers: host (a local Python) and sandbox (bubblewrap over a Debian image). */
export class PreviewRuntime extends Context.Service<PreviewRuntime, {
  readonly name: "host" | "sandbox";
  readonly limits: ResourceLimits;
  /** How each limit is enforced on this host (or that it is not), for /config. */
  readonly enforced: Readonly<Record<string, string>>;
  readonly warmPool: WarmPoolView;
  readonly start: (spec: LaunchSpec) => Effect.Effect<PreviewProcess, RuntimeUnavailable | RequirementsUnavailable>;
  /** Takes over a preview that outlived its orchestrator; undefined when that process is gone. */
  readonly adopt: (spec: AdoptionSpec) => Effect.Effect<PreviewProcess | undefined>;
  /** True once something accepts connections at the upstream: uvicorn binds only after app startup. */
  readonly isAnswering: (upstream: Upstream) => Effect.Effect<boolean>;
}>()("platform/PreviewRuntime") {}
