import type { ConfigProvider, Layer } from "effect";
import type { LogSink } from "../../libs/logsink/contract.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { serveAlone } from "../serve-alone.ts";
import type { OrchestratorConfig } from "./config.ts";
import { orchestratorDefinition } from "./definition.ts";
import { orchestratorLayer } from "./layers.ts";

/** The orchestrator alone (services/launcher.ts) with another log sink than the logs service's: for tests. */
export const serveOrchestrator = <ROut, E>(options: {
  readonly logSink: Layer.Layer<ROut | LogSink, E>;
  readonly configProvider: ConfigProvider.ConfigProvider;
  readonly logger: Logger;
  readonly port?: number;
}) => {
  const layer = orchestratorLayer(options.logSink);
  return serveAlone<OrchestratorConfig, Layer.Success<typeof layer>, Layer.Error<typeof layer>>(orchestratorDefinition, options, () => layer);
};
