import { Effect, Layer, ManagedRuntime } from "effect";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../libs/http/app-env.ts";
import { installFallbacks, makeRouteRunner } from "../../libs/http/effect-bridge.ts";
import { InvalidRequest } from "../../libs/http/request-errors.ts";
import { requestContext } from "../../libs/http/request-context.ts";
import { makeLogger } from "../../libs/observability/logger.ts";

const appWith = () => {
  const logged: string[] = [];
  const logger = makeLogger("test", (line) => logged.push(line));
  const run = makeRouteRunner(ManagedRuntime.make(Layer.empty), logger);
  const app = new Hono<AppEnv>();
  app.use("*", requestContext(logger));
  installFallbacks(app, logger);
  app.get("/typed", run(() => Effect.fail(new InvalidRequest({ message: "bad thing", details: { field: "x" } }))));
  app.get("/defect", run(() => Effect.die(new Error("db password is hunter2"))));
  app.get("/throws", () => {
    throw new Error("stack with internals");
  });
  return { app, logged };
};

describe("the Hono↔Effect bridge's error edge", () => {
  it("maps a typed failure to its status and the envelope, with the request id", async () => {
    const { app } = appWith();
    const res = await app.request("/typed", { headers: { "x-request-id": "req-1" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "invalid_request", message: "bad thing", requestId: "req-1", details: { field: "x" } } });
  });

  it.each(["/defect", "/throws"])("answers %s with a 500 that never echoes the internals, and logs the cause", async (path) => {
    const { app, logged } = appWith();
    const res = await app.request(path);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).error.code).toBe("internal_error");
    expect(text).not.toMatch(/hunter2|internals/);
    expect(logged.some((l) => /hunter2|internals/.test(l))).toBe(true);
  });

  it("answers unknown routes with the envelope", async () => {
    const { app } = appWith();
    const res = await app.request("/nowhere", { method: "POST" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ code: "not_found", message: "No route for POST /nowhere" });
  });
});
