import { ConfigProvider } from "effect";
import { shutdownOnSignals } from "../../libs/http/run-service.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { serveAllInOne } from "./serve-all-in-one.ts";

const logger = makeLogger("all-in-one");
const service = await serveAllInOne({ configProvider: ConfigProvider.fromEnv(), logger });
logger.info("listening", { port: service.server.port });
shutdownOnSignals(service.shutdown, logger);
