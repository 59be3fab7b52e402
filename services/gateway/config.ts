import { Config } from "effect";

/** Everything the gateway reads from its environment, as GATEWAY_<NAME>. */
export const gatewayConfig = Config.all({
  host: Config.String("HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.Port("PORT").pipe(Config.withDefault(8080)),
  orchestratorUrl: Config.String("ORCHESTRATOR_URL").pipe(Config.withDefault("http://127.0.0.1:8081")),
}).pipe(Config.nested("GATEWAY"));

export type GatewayConfig = typeof gatewayConfig extends Config.Config<infer A> ? A : never;
