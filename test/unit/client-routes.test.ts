import { describe, expect, it } from "vitest";
import { apiRoutes } from "../../libs/api/routes.ts";
import { createPreviewClient } from "../../libs/client/api-client.ts";

// The client's methods against the one declaration of the API: each call goes to a declared
// route with the declared method, and every declared route a client needs has a method.
describe("the typed client covers the declared API", () => {
  it("sends every call to a declared route, and misses none", async () => {
    const sent: string[] = [];
    const client = createPreviewClient({
      baseUrl: "http://platform.test",
      token: () => "t",
      fetch: async (input, init) => {
        const url = new URL(String(input));
        sent.push(`${(init?.method ?? "GET").toLowerCase()} ${url.pathname.replace(/\/api\/generations\/g1/, "/api/generations/{generationId}")}`);
        return Response.json({});
      },
    });
    await Promise.all([
      client.listPreviews(), client.createGeneration({ files: {} }), client.getGeneration("g1"), client.launch("g1"), client.status("g1"),
      client.stop("g1"), client.config("g1"), client.reload("g1", {}), client.extend("g1"), client.endpoints("g1"),
      client.request("g1", { method: "GET", path: "/" }), client.logsToken("g1"), client.logs("g1"),
    ]);
    const declared = new Set(apiRoutes.map((r) => `${r.method} ${r.path}`));
    expect(sent.filter((s) => !declared.has(s))).toEqual([]);
    // URLs the client hands to a browser or an EventSource rather than fetching itself.
    const handedOut = [client.logStreamUrl("g1", "tok"), client.exportUrl("g1", "text")]
      .map((u) => `get ${new URL(u).pathname.replace(/\/api\/generations\/g1/, "/api/generations/{generationId}")}`);
    expect(handedOut.filter((s) => !declared.has(s))).toEqual([]);
    // Not client calls: the document itself, its page, the local-mode sign-in, and the alias of .../preview/endpoints.
    const notForClients = new Set(["get /api/openapi.json", "get /api/reference", "post /api/dev/token", "get /api/generations/{generationId}/endpoints"]);
    const covered = new Set([...sent, ...handedOut]);
    expect([...declared].filter((d) => !covered.has(d) && !notForClients.has(d))).toEqual([]);
  });
});
