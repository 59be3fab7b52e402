import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { projectFolder } from "./support.ts";

const mainPy = (extra: string) =>
  `from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/first')\ndef first():\n    return {'first': True}\n${extra}`;

let platform: PlatformProcess;
let browser: Browser;
let page: Page;
let folder: string;
beforeAll(async () => {
  [platform, browser] = await Promise.all([startPlatformProcess(), launchBrowser()]);
  folder = projectFolder({ "main.py": mainPy("") });
  page = await (await browser.newContext()).newPage();
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (folder !== undefined) rmSync(dirname(folder), { recursive: true, force: true });
});

describe("Apply changes on the Preview Tab page", () => {
  it("re-uploads the folder into the running preview: the page says it reloaded and lists the new endpoint; a broken change is refused with where it broke", async () => {
    await page.goto(`${platform.gateway}/`);
    await page.getByText("Signed in as local (local mode)").waitFor();
    await page.locator("#folder-input").setInputFiles(folder);
    await page.getByTestId("generation-id").waitFor();
    const apply = page.getByRole("button", { name: "Apply changes" });
    expect(await apply.isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Launch" }).click();
    await page.locator("#status-badge[data-status=running]").waitFor({ timeout: 60_000 });
    await page.locator('details[data-endpoint="GET /first"]').waitFor();
    expect(await apply.isDisabled()).toBe(false);

    writeFileSync(join(folder, "main.py"), mainPy("\n@app.get('/second')\ndef second():\n    return {'second': True}\n"));
    await page.locator("#apply-input").setInputFiles(folder);
    await expect.poll(() => page.locator("#preview-message").innerText(), { timeout: 60_000 }).toMatch(/^Reloaded in \d+ ms: 1 file changed\.$/);
    await page.locator('details[data-endpoint="GET /second"]').waitFor();
    await page.locator("#log-viewport .log-row", { hasText: /reloaded in \d+ ms: 1 file changed/ }).waitFor();
    expect(await page.locator("#status-badge").getAttribute("data-status")).toBe("running");

    writeFileSync(join(folder, "main.py"), "from fastapi import FastAPI\napp = FastAPI(\n");
    await page.locator("#apply-input").setInputFiles(folder);
    await expect.poll(() => page.locator("#preview-message").innerText(), { timeout: 60_000 })
      .toMatch(/^Not applied, the previous version still serves: syntax_error in main\.py:\d+/);
    expect(await page.locator("#status-badge").getAttribute("data-status")).toBe("running");
    await page.locator('details[data-endpoint="GET /second"]').waitFor();
  }, 240_000);
});
