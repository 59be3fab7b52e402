import { ConfigProvider, Effect, Layer } from "effect";
import { shutdownOnSignals, startService } from "../../libs/http/run-service.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { makeGatewayApp } from "./app.ts";
import { gatewayConfig } from "./config.ts";

const logger = makeLogger("gateway");
const config = await Effect.runPromise(gatewayConfig.parse(ConfigProvider.fromEnv()));
const service = await startService({
  layer: Layer.empty,
  port: config.port,
  hostname: config.host,
  logger,
  makeFetch: async () => makeGatewayApp({ orchestratorUrl: config.orchestratorUrl.replace(/\/+$/, ""), logger }).fetch,
});
logger.info("listening", { port: service.server.port });
shutdownOnSignals(service.shutdown, logger);
