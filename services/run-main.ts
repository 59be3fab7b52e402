import { ConfigProvider } from "effect";
import { shutdownOnSignals } from "../libs/http/run-service.ts";
import type { ServiceName } from "../libs/http/service-definition.ts";
import { makeLogger } from "../libs/observability/logger.ts";
import { launch } from "./launcher.ts";

/** A process's entry: the named services from the environment's config, stopped in order on a signal or a lost lifeline. */
export const runMain = async (names: ReadonlyArray<ServiceName>, mode: "split" | "together"): Promise<void> => {
  const logger = makeLogger(mode === "together" ? "all-in-one" : names.join("+"));
  const launched = await launch(names, mode, { configProvider: ConfigProvider.fromEnv(), logger });
  for (const [service, server] of launched.servers) logger.info("listening", { ...(launched.servers.size > 1 ? { service } : {}), port: server.port });
  shutdownOnSignals(launched.shutdown, logger);
};
