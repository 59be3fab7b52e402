import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi } from "../support/api.ts";
import { launchBrowser } from "../support/browser.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { screenshotDir } from "./support.ts";

const lineCount = 100_000;
/** Prints 100,000 numbered lines while it starts, then serves nothing else. */
const chattyApp = {
  "main.py": [
    "from fastapi import FastAPI",
    "app = FastAPI()",
    "",
    "@app.on_event('startup')",
    "def chatter():",
    `    print('\\n'.join(f'chatter line {i}' for i in range(${lineCount})), flush=True)`,
    "",
  ].join("\n"),
};

let platform: PlatformProcess;
let browser: Browser;
beforeAll(async () => {
  // This test is about the page holding a burst this size, so the platform must let it all through:
  // by default the outbox keeps 50,000 lines (10,000 per preview) and each preview's rate budget
  // (orchestrator and logs ingest) drops most of a 100,000-line burst as that preview's own loss.
  const wholeBurst = {
    ORCHESTRATOR_LOGS_BUFFER_LINES: "200000",
    ORCHESTRATOR_LOGS_PREVIEW_BUFFER_LINES: "200000",
    ORCHESTRATOR_LOGS_BURST_LINES: "200000",
    LOGS_BURST_LINES: "200000",
  };
  [platform, browser] = await Promise.all([startPlatformProcess({ env: wholeBurst }), launchBrowser()]);
  mkdirSync(screenshotDir, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe("the log view with 100,000 lines", () => {
  it("holds them all, keeps only the visible rows in the page, and still searches", async () => {
    const token = execFileSync("npm", ["run", "--silent", "token", "--", "local"], { env: platform.env }).toString().trim();
    const created = await callApi<{ generationId: string }>(platform.gateway, "POST", "/api/generations", { token, json: { files: chattyApp } });
    const generationId = created.body.generationId;
    expect((await callApi(platform.gateway, "POST", `/api/generations/${generationId}/preview/launch`, { token, json: { wait: true } })).status).toBe(200);

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${platform.gateway}/`);
    await page.getByText("Signed in as local (local mode)").waitFor();
    await page.locator("#generation-input").fill(generationId);
    await page.getByRole("button", { name: "Open" }).click();
    await page.locator("#log-viewport .log-row", { hasText: `chatter line ${lineCount - 1}` }).waitFor({ timeout: 90_000 });
    await expect.poll(async () => Number(await page.locator("#log-viewport").getAttribute("data-count")), { timeout: 30_000 }).toBeGreaterThanOrEqual(lineCount);

    // Only what is on screen (plus a margin) is in the DOM.
    expect(await page.locator("#log-viewport .log-row").count()).toBeLessThan(200);
    // The page stays responsive: search narrows 100,000 lines to the one asked for.
    await page.locator("#log-search").fill("chatter line 54321");
    await page.locator("#log-viewport .log-row", { hasText: "chatter line 54321" }).waitFor();
    expect(await page.locator("#log-viewport .log-row").count()).toBe(1);
    await page.screenshot({ path: `${screenshotDir}/09-hundred-thousand-lines.png` });
    // Its waits allow 90 + 30 s on a loaded machine: the test's own limit must not be the shorter one.
  }, 180_000);
});
