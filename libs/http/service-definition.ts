import type { Config, ConfigProvider, Layer, ManagedRuntime } from "effect";
import type { Logger } from "../observability/logger.ts";
import type { NodeInterceptor, UpgradeHandler } from "./serve.ts";

export type ServiceName = "orchestrator" | "logs" | "gateway" | "extractor";
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** What a service serves once its layers are built. */
export interface ServedApp {
  readonly fetch: FetchHandler;
  readonly onUpgrade?: UpgradeHandler;
  /** Node only: requests it takes skip the fetch handler (the gateway's fast proxy path). */
  readonly intercept?: NodeInterceptor;
  /** Run before the server stops accepting (the logs service ends its open streams first). */
  readonly beforeClose?: () => Promise<void>;
}

export interface AppContext<C> {
  readonly config: C;
  readonly logger: Logger;
  readonly configProvider: ConfigProvider.ConfigProvider;
  /** The apps of the services this process also runs, for peers reached in process (all-in-one). */
  readonly here: ReadonlyMap<ServiceName, FetchHandler>;
}

/**
 * One service, defined once: its config, its layer (peers chosen inside from config), where it
 * listens and its app. services/launcher.ts serves any set of them, each alone or all in one.
 */
export interface ServiceDefinition<C, R, E> {
  readonly name: ServiceName;
  readonly config: Config.Config<C>;
  readonly listen: (config: C) => { readonly host: string; readonly port: number };
  /** Its services when it runs alone, its peers over HTTP. */
  readonly layer: (config: C, configProvider: ConfigProvider.ConfigProvider) => Layer.Layer<R, E>;
  readonly app: (runtime: ManagedRuntime.ManagedRuntime<R, never>, context: AppContext<C>) => Promise<ServedApp>;
}
