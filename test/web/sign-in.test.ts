// Outside local mode the page asks for a token; signing out leaves nothing of the user on screen
// for the next one (no generation, no previews). In-process gateway and orchestrator, Chromium.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";

let platform: TestPlatform;
let browser: Browser;
beforeAll(async () => {
  [platform, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
});

describe("signing in with a token, and out", () => {
  it("shows the user's previews and generation, and after Sign out the next user sees none of them", async () => {
    const alice = await platform.runPreview("alice", helloApp);
    const bobToken = await platform.orchestrator.token("bob");
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(`${platform.gateway}/#g=${alice.generationId}`);

    // A token the API refuses: back to the form, saying why.
    await page.getByLabel(/Access token/).fill("not-a-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#sign-in-error", { hasText: "Your token was refused or has expired. Sign in again." }).waitFor();

    await page.getByLabel(/Access token/).fill(alice.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Signed in as alice").waitFor();
    await page.locator(`.my-preview[data-status=running]`, { hasText: alice.generationId }).waitFor();
    await page.locator("#status-badge[data-status=running]").waitFor();
    expect(await page.getByTestId("generation-id").innerText()).toBe(alice.generationId);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel(/Access token/).waitFor();
    expect(await page.locator("#workspace").isHidden()).toBe(true);
    await page.getByLabel(/Access token/).fill(bobToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Signed in as bob").waitFor();
    await page.locator("#my-previews-count", { hasText: "none yet" }).waitFor();
    expect(await page.locator(".my-preview").count()).toBe(0);
    expect(await page.locator("#generation-info").innerText()).toBe("");
    expect(await page.locator("#preview-panel").isHidden()).toBe(true);
    expect(await page.locator("#log-viewport .log-row").count()).toBe(0);
    await page.close();
  }, 120_000);
});
