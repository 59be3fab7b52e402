import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, serveCdnStandIn } from "../support/browser.ts";
import { proxyProbeApp } from "../support/fixture-apps.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";

let platform: TestPlatform;
let browser: Browser;
beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
  mkdirSync("test-results", { recursive: true });
});
afterAll(async () => {
  await browser.close();
  await platform.dispose();
});

describe("the preview's own Swagger UI through the gateway", () => {
  it("loads /docs on the preview's own origin after the token hand-off, and Try it out calls the preview there", async () => {
    const preview = await platform.runPreview("alice", proxyProbeApp);
    const context = await browser.newContext();
    await serveCdnStandIn(context);
    const page = await context.newPage();
    await page.goto(`${preview.origin}/docs?previewToken=${preview.previewToken}`);
    // The hand-off redirected to the clean URL and left the token in a cookie only.
    expect(page.url()).toBe(`${preview.origin}/docs`);

    const operation = page.locator("#operations-default-read_item_items__item_id__get");
    await operation.locator(".opblock-summary").click();
    await operation.getByRole("button", { name: "Try it out" }).click();
    await operation.locator('input[placeholder="item_id"]').fill("7");
    await operation.getByRole("button", { name: "Execute" }).click();
    const body = operation.locator(".live-responses-table .response-col_description pre").first();
    await body.waitFor();
    expect(JSON.parse(await body.innerText())).toEqual({ item_id: 7, q: "" });
    const requestUrl = await operation.locator(".request-url pre").innerText();
    expect(requestUrl).toBe(`${preview.origin}/items/7`);
    await page.screenshot({ path: "test-results/swagger-try-it-out.png", fullPage: true });
    await context.close();
  });
});
