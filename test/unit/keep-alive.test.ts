import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepAliveTimeoutMs, type RunningServer, serveFetch } from "../../libs/http/serve.ts";

let server: RunningServer;
beforeAll(async () => {
  server = await serveFetch(() => new Response("ok"), { port: 0, hostname: "127.0.0.1" });
});
afterAll(() => server.close());

describe("our servers' keep-alive", () => {
  it("advertises an idle timeout longer than clients keep a connection, so the client closes first", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(await res.text()).toBe("ok");
    expect(res.headers.get("keep-alive")).toBe(`timeout=${keepAliveTimeoutMs / 1000}`);
    // undici's own default is 4 s, browsers' up to 60 s.
    expect(keepAliveTimeoutMs).toBeGreaterThan(60_000);
  });
});
