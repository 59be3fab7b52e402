import { ConfigProvider } from "effect";
import { shutdownOnSignals } from "../../libs/http/run-service.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveGateway } from "./serve-gateway.ts";

const logger = makeLogger("gateway");
const service = await serveGateway({ configProvider: ConfigProvider.fromEnv(), logger });
logger.info("listening", { port: service.server.port });
shutdownOnSignals(service.shutdown, logger);
