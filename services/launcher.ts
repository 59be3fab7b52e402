import type { ServiceName } from "../libs/http/service-definition.ts";
import type { RunningServer } from "../libs/http/serve.ts";
import { type LaunchOptions, serveAlone } from "./serve-alone.ts";

export { type LaunchOptions, serveAlone } from "./serve-alone.ts";

export const serviceNames: ReadonlyArray<ServiceName> = ["orchestrator", "logs", "extractor", "gateway"];
/** Stop order, as `npm start` stops its processes: previews first (their last lines still reach the logs service), the front last but one. */
const stopOrder: ReadonlyArray<ServiceName> = ["orchestrator", "logs", "gateway", "extractor"];

export interface Launched {
  readonly servers: ReadonlyMap<ServiceName, RunningServer>;
  /** Ordered: open log streams end, servers stop accepting and drain, previews stop, files close. Idempotent. */
  readonly shutdown: () => Promise<void>;
}

// Definitions are imported when launched: a process loads only the services it runs (memory, and
// Deno's per-service permissions: the extractor may not read what the orchestrator's modules probe).
const serveByName = (name: ServiceName, options: LaunchOptions): Promise<{ readonly server: RunningServer; readonly shutdown: () => Promise<void> }> => {
  switch (name) {
    case "orchestrator": return import("./orchestrator/definition.ts").then(({ orchestratorDefinition: d }) => serveAlone(d, options, d.layer));
    case "logs": return import("./logs/definition.ts").then(({ logsDefinition: d }) => serveAlone(d, options, d.layer));
    case "gateway": return import("./gateway/definition.ts").then(({ gatewayDefinition: d }) => serveAlone(d, options, d.layer));
    case "extractor": return import("./extractor/definition.ts").then(({ extractorDefinition: d }) => serveAlone(d, options, d.layer));
  }
};

/** Each named service alone on its own port in this process, peers over HTTP; stopped in `npm start`'s order. */
const launchSplit = async (names: ReadonlyArray<ServiceName>, options: LaunchOptions): Promise<Launched> => {
  const started = new Map<ServiceName, { server: RunningServer; shutdown: () => Promise<void> }>();
  // A port given is the one service's; several each take their own from config.
  const { port, ...withoutPort } = options;
  const each = names.length === 1 && port !== undefined ? options : withoutPort;
  const stop = async () => {
    for (const name of stopOrder) await started.get(name)?.shutdown();
  };
  try {
    for (const name of serviceNames.filter((n) => names.includes(n))) {
      started.set(name, await serveByName(name, each));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  let stopping: Promise<void> | undefined;
  return {
    servers: new Map([...started].map(([name, s]) => [name, s.server])),
    shutdown: () => (stopping ??= stop()),
  };
};

/**
 * The one launcher: serves any set of the services, `split` (each on its own port, peers over
 * HTTP: what `npm start` runs, one per process) or all together on one port (`npm run
 * start:all-in-one`), with an ordered shutdown either way.
 */
export const launch = async (names: ReadonlyArray<ServiceName>, mode: "split" | "together", options: LaunchOptions): Promise<Launched> => {
  const unknown = names.filter((n) => !serviceNames.includes(n));
  if (unknown.length > 0) throw new Error(`Unknown service ${unknown.join(", ")}; the services are ${serviceNames.join(", ")}`);
  if (mode === "split") return launchSplit(names, options);
  const missing = (["orchestrator", "logs", "gateway"] as const).filter((n) => !names.includes(n));
  if (missing.length > 0) throw new Error(`Together, the services are served behind the gateway's port with their peers in process: add ${missing.join(", ")}`);
  return (await import("./launch-together.ts")).launchTogether(options);
};
