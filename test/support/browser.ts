import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";

/** Debian's chromium, headless, with the flags this offline machine needs (shared/toolchain.md §4.10). */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });

/**
 * Test double for the public CDN, which is outside our control and unreachable here: FastAPI's
 * /docs page loads Swagger UI from cdn.jsdelivr.net; the same files come from the swagger-ui-dist package.
 */
export const serveCdnStandIn = async (context: BrowserContext): Promise<void> => {
  const dist = join(process.cwd(), "node_modules", "swagger-ui-dist");
  await context.route("https://cdn.jsdelivr.net/npm/swagger-ui-dist*/**", async (route) => {
    const file = new URL(route.request().url()).pathname.split("/").pop() ?? "";
    const type = file.endsWith(".css") ? "text/css" : "application/javascript";
    await route.fulfill({ status: 200, contentType: type, body: await readFile(join(dist, file)) });
  });
  await context.route("https://fastapi.tiangolo.com/**", (route) => route.fulfill({ status: 404, body: "" }));
};
