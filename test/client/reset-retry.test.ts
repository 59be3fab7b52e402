import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPreviewClient } from "../../libs/client/api-client.ts";

// A server that, like one closing an idle kept-alive connection as the client reuses it, drops
// the connection of every other request without answering; the ones between are answered.
let server: Server;
let base: string;
const seen: string[] = [];
beforeAll(async () => {
  let n = 0;
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (n++ % 2 === 0) {
      req.socket.destroy();
      return;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ status: "stopped", message: "ok", stoppedAt: "now" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the API client on a connection closed under it", () => {
  it("sends an idempotent call (DELETE, GET) once more, on a new connection, and gets its answer", async () => {
    seen.length = 0;
    const client = createPreviewClient({ baseUrl: base, token: () => "t" });
    const stopped = await client.stop("g1");
    expect(stopped.ok).toBe(true);
    expect(seen).toEqual(["DELETE /api/generations/g1/preview", "DELETE /api/generations/g1/preview"]);
  });

  it("does not repeat a call that is not idempotent (POST): it reports the network failure", async () => {
    seen.length = 0;
    const client = createPreviewClient({ baseUrl: base, token: () => "t" });
    const launched = await client.launch("g1");
    expect(launched.ok).toBe(false);
    if (!launched.ok) expect(launched.error.code).toBe("network_error");
    expect(seen).toEqual(["POST /api/generations/g1/preview/launch"]);
  });
});
