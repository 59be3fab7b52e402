import { describe, expect, it } from "vitest";
import { apiResultOf } from "../../libs/client/api-client.ts";
import { apiErrorCodes } from "../../libs/http/error-codes.ts";

describe("the client's typed error codes", () => {
  it("keeps every code the API answers with", () => {
    for (const code of apiErrorCodes) {
      const result = apiResultOf(409, JSON.stringify({ error: { code, message: "m", requestId: "r1" } }), null);
      expect(result).toEqual({ ok: false, error: { status: 409, code, message: "m", requestId: "r1" } });
    }
  });

  it("reports an unknown code as http_error, with the server's in details.code", () => {
    const result = apiResultOf(418, JSON.stringify({ error: { code: "teapot", message: "short and stout", requestId: "r2", details: { a: 1 } } }), null);
    expect(result).toEqual({ ok: false, error: { status: 418, code: "http_error", message: "short and stout", requestId: "r2", details: { a: 1, code: "teapot" } } });
  });

  it("reports an answer without the envelope (a proxy's HTML page) as http_error with the request id header", () => {
    expect(apiResultOf(502, "<html>bad gateway</html>", "rid")).toEqual({ ok: false, error: { status: 502, code: "http_error", message: "HTTP 502", requestId: "rid" } });
  });
});
