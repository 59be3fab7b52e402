// The page and the API reference from a gateway running under Deno, with the permissions
// scripts/deno-service.sh gives it (it reads the page's sources and the vendored Swagger UI only).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";

let platform: PlatformProcess;
beforeAll(async () => {
  platform = await startPlatformProcess({ env: { GATEWAY_JS_RUNTIME: "deno" } });
});
afterAll(() => platform?.stop());

describe("a gateway under Deno", () => {
  it("serves the page and the interactive API reference with every asset they name", async () => {
    for (const path of ["/", "/api/reference"]) {
      const res = await fetch(`${platform.gateway}${path}`);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? "");
      expect(assets.length, path).toBeGreaterThanOrEqual(2);
      for (const asset of assets) {
        const res = await fetch(platform.gateway + asset); // asks for gzip, and decodes what Deno's zlib made
        expect(res.status, asset).toBe(200);
        expect(res.headers.get("content-encoding"), asset).toBe("gzip");
        expect((await res.text()).length, asset).toBeGreaterThan(100);
      }
    }
  }, 60_000);
});
