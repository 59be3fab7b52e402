// The port each service will listen on, read from the same configs the services parse.
import { type Config, ConfigProvider, Effect } from "effect";
import { extractorConfig } from "../../services/extractor/config.ts";
import { gatewayConfig } from "../../services/gateway/config.ts";
import { logsConfig } from "../../services/logs/config.ts";
import { orchestratorConfig } from "../../services/orchestrator/config.ts";

const configs: Record<string, Config.Config<{ readonly port: number }>> = {
  gateway: gatewayConfig,
  orchestrator: orchestratorConfig,
  logs: logsConfig,
  extractor: extractorConfig,
};

export const serviceNames = Object.keys(configs);

/** undefined for a process that is not one of ours, or whose config does not parse (it will say why itself). */
export const servicePort = (name: string): number | undefined => {
  const config = configs[name];
  if (config === undefined) return undefined;
  const port = Effect.runSync(config.parse(ConfigProvider.fromEnv()).pipe(Effect.map((c) => c.port), Effect.orElseSucceed(() => undefined)));
  // Port 0 asks for any free port: nothing to check.
  return port === 0 ? undefined : port;
};
