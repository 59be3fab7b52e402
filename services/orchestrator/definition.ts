import { Effect, type ManagedRuntime } from "effect";
import { type PlatformSecrets, revealSecrets } from "../../libs/auth/platform-secrets.ts";
import { makeRouteRunner, type Route } from "../../libs/http/effect-bridge.ts";
import type { AppContext, ServedApp } from "../../libs/http/service-definition.ts";
import { makeOrchestratorApp, type OrchestratorAppOptions } from "./app.ts";
import { type OrchestratorConfig, orchestratorConfig } from "./config.ts";
import { orchestratorLayer } from "./layers.ts";
import { orchestratorLogSink } from "./log-sink.ts";
import { RunnerNode } from "./runner-node.ts";
import { nodeProxyFastPath } from "./node-proxy-fast-path.ts";
import { nodeProxyUpgrade } from "./node-proxy-upgrade.ts";

type Needs = (Parameters<OrchestratorAppOptions["run"]>[0] extends Route<infer R> ? R : never) | PlatformSecrets | RunnerNode;

/** The orchestrator, defined once (services/launcher.ts serves it). */
export const orchestratorDefinition = {
  name: "orchestrator" as const,
  config: orchestratorConfig,
  listen: (config: OrchestratorConfig) => ({ host: config.host, port: config.port }),
  /** Alone: lines go to the logs service at ORCHESTRATOR_LOGS_URL. */
  layer: () => orchestratorLayer(orchestratorLogSink),
  app: async (runtime: ManagedRuntime.ManagedRuntime<Needs, never>, context: AppContext<OrchestratorConfig>): Promise<ServedApp> => {
    const { jwtSecret, internalToken } = await revealSecrets(runtime);
    const { config } = context;
    const intercept = nodeProxyFastPath(runtime, internalToken, context.logger);
    return {
      fetch: makeOrchestratorApp({
        run: makeRouteRunner(runtime, context.logger),
        jwtSecret,
        internalToken,
        fileLimits: { maxFiles: config.maxFiles, maxFileBytes: config.maxFileBytes, maxTotalBytes: config.maxTotalBytes },
        logger: context.logger,
      }).fetch,
      ...(intercept === undefined ? {} : { intercept }),
      onUpgrade: nodeProxyUpgrade(runtime, internalToken),
      // A node that drains stops taking launches and stops its previews cleanly before it goes.
      beforeClose: () => runtime.runPromise(Effect.gen(function* () {
        const node = yield* RunnerNode;
        if (node.identity.drainOnStop) yield* node.drain;
      })),
    };
  },
};
