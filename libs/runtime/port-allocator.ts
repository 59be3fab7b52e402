import { Context, type Effect } from "effect";
import type { RuntimeUnavailable } from "./errors.ts";

/** Hands out host ports to previews: never the same one twice at once, and back when released. */
export class PortAllocator extends Context.Service<PortAllocator, {
  readonly reserve: (holder: string) => Effect.Effect<number, RuntimeUnavailable>;
  readonly release: (port: number) => Effect.Effect<void>;
}>()("platform/PortAllocator") {}
