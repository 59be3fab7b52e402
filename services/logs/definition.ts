import type { ManagedRuntime } from "effect";
import { type PlatformSecrets, revealSecrets } from "../../libs/auth/platform-secrets.ts";
import { makeRouteRunner, type Route } from "../../libs/http/effect-bridge.ts";
import type { AppContext, ServedApp } from "../../libs/http/service-definition.ts";
import type { LogFanout } from "../../libs/logs/contract.ts";
import { type LogsAppOptions, makeLogsApp } from "./app.ts";
import { type LogsConfig, logsConfig } from "./config.ts";
import { logsLayer } from "./layers.ts";
import { trackOpenStreams } from "./open-streams.ts";

type Needs = (Parameters<LogsAppOptions["run"]>[0] extends Route<infer R> ? R : never) | PlatformSecrets | LogFanout;

/** The logs service, defined once (services/launcher.ts serves it). */
export const logsDefinition = {
  name: "logs" as const,
  config: logsConfig,
  listen: (config: LogsConfig) => ({ host: config.host, port: config.port }),
  /** Alone: who owns what is asked of the orchestrator at LOGS_ORCHESTRATOR_URL. */
  layer: () => logsLayer,
  app: async (runtime: ManagedRuntime.ManagedRuntime<Needs, never>, context: AppContext<LogsConfig>): Promise<ServedApp> => {
    const { jwtSecret, internalToken } = await revealSecrets(runtime);
    const streams = trackOpenStreams();
    return {
      fetch: makeLogsApp({
        run: makeRouteRunner(runtime, context.logger),
        jwtSecret,
        internalToken,
        config: context.config,
        logger: context.logger,
        onStream: streams.add,
      }).fetch,
      // Open streams end first (clients keep their last id and resume elsewhere).
      beforeClose: () => streams.endAll(runtime),
    };
  },
};
