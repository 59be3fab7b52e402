import { Layer, ManagedRuntime } from "effect";
import type { Logger } from "../observability/logger.ts";
import { watchLifeline } from "./lifeline.ts";
import { type NodeInterceptor, type RunningServer, serveFetch, type UpgradeHandler } from "./serve.ts";

export interface ServiceHandle<R> {
  readonly runtime: ManagedRuntime.ManagedRuntime<R, never>;
  readonly server: RunningServer;
  /** Stops accepting requests, lets in-flight ones finish, then releases every resource. Idempotent. */
  readonly shutdown: () => Promise<void>;
}

/**
 * Builds a service's layers (migrations, reconciliation) before it listens, serves its app, and
 * gives one shutdown for both.
 */
export const startService = async <R, E>(options: {
  readonly layer: Layer.Layer<R, E>;
  readonly makeFetch: (runtime: ManagedRuntime.ManagedRuntime<R, never>) => Promise<(request: Request) => Response | Promise<Response>>;
  readonly port: number;
  readonly hostname: string;
  readonly logger: Logger;
  readonly makeUpgradeHandler?: (runtime: ManagedRuntime.ManagedRuntime<R, never>) => UpgradeHandler | undefined;
  /** Node only: requests it takes (returns true for) skip the fetch handler. */
  readonly makeNodeInterceptor?: (runtime: ManagedRuntime.ManagedRuntime<R, never>) => NodeInterceptor | undefined;
}): Promise<ServiceHandle<R>> => {
  const runtime = ManagedRuntime.make(Layer.orDie(options.layer));
  await runtime.context();
  const fetch = await options.makeFetch(runtime);
  const onUpgrade = options.makeUpgradeHandler?.(runtime);
  const intercept = options.makeNodeInterceptor?.(runtime);
  const server = await serveFetch(fetch, {
    port: options.port,
    hostname: options.hostname,
    ...(onUpgrade ? { onUpgrade } : {}),
    ...(intercept ? { intercept } : {}),
  });
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      await server.close();
      await runtime.dispose();
    })();
    return stopping;
  };
  return { runtime, server, shutdown };
};

/** A service whose runner is gone stops its previews, but not for longer than this. */
const orphanShutdownMs = 30_000;

/**
 * SIGINT and SIGTERM both shut down once (a terminal and a process manager may both send one);
 * so does the loss of the runner's lifeline (see lifeline.ts).
 */
export const shutdownOnSignals = (shutdown: () => Promise<void>, logger: Logger): void => {
  const onSignal = (signal: NodeJS.Signals | "lifeline") => {
    logger.info("shutting down", { signal });
    void shutdown().then(() => process.exit(0), (e: unknown) => {
      logger.error("shutdown failed", { error: String(e) });
      process.exit(1);
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  watchLifeline((reason) => {
    logger.warn("the runner is gone; shutting down", { reason });
    setTimeout(() => process.exit(1), orphanShutdownMs).unref();
    onSignal("lifeline");
  });
};
