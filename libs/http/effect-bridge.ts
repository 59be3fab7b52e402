import type { Context, Hono } from "hono";
import { Cause, Effect, Exit, type ManagedRuntime, Option } from "effect";
import type { Logger } from "../observability/logger.ts";
import type { AppEnv } from "./app-env.ts";
import { errorResponse, internalError } from "./error-envelope.ts";
import { type ApiFailure, describeFailure } from "./error-mapping.ts";
import { noRoute } from "./not-found.ts";

export type Route<R> = (c: Context<AppEnv>) => Effect.Effect<Response, ApiFailure, R>;

/**
 * The Hono↔Effect bridge: runs a route's effect on the process's one ManagedRuntime and maps
 * its typed failure to the error envelope. A defect is logged with its cause and answered with a
 * 500 that never echoes it.
 */
export const makeRouteRunner = <R>(runtime: ManagedRuntime.ManagedRuntime<R, never>, logger: Logger) =>
  (route: Route<R>) => async (c: Context<AppEnv>): Promise<Response> => {
    const exit = await runtime.runPromiseExit(Effect.suspend(() => route(c)));
    if (Exit.isSuccess(exit)) return exit.value;
    const requestId = c.get("requestId");
    const failure = Cause.findErrorOption(exit.cause);
    if (Option.isSome(failure)) return errorResponse(requestId, describeFailure(failure.value));
    logger.error("request failed", { requestId, cause: Cause.pretty(exit.cause) });
    return errorResponse(requestId, internalError);
  };

/** Envelope answers for what no route handles: unknown paths and exceptions thrown outside effects. */
export const installFallbacks = (app: Hono<AppEnv>, logger: Logger): void => {
  app.notFound(noRoute);
  app.onError((err, c) => {
    const requestId = c.get("requestId") ?? "";
    logger.error("unhandled error", { requestId, error: err instanceof Error ? err.stack : String(err) });
    return errorResponse(requestId, internalError);
  });
};
