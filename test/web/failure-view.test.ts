// The page shows a failed launch's diagnosis: the user's frame first, library frames folded away.
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { projectFolder } from "./support.ts";

const brokenProject = {
  "main.py": "from fastapi import FastAPI\nfrom app.models import User, Item\napp = FastAPI()\n",
  "app/__init__.py": "",
  "app/models.py": "class User:\n    pass\n",
};

let platform: PlatformProcess;
let browser: Browser;
let page: Page;
let folder: string;
beforeAll(async () => {
  [platform, browser] = await Promise.all([startPlatformProcess(), launchBrowser()]);
  folder = projectFolder(brokenProject);
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (folder !== undefined) rmSync(dirname(folder), { recursive: true, force: true });
});

describe("a failed launch on the Preview Tab page", () => {
  it("shows the kind, the user's file and line with its source, and folds the library frames", async () => {
    await page.goto(`${platform.gateway}/`);
    await page.getByText("Signed in as local (local mode)").waitFor();
    await page.locator("#folder-input").setInputFiles(folder);
    await page.getByTestId("generation-id").waitFor();
    await page.getByRole("button", { name: "Launch" }).click();
    await page.locator("#status-badge[data-status=failed]").waitFor({ timeout: 60_000 });
    const failure = page.locator("#failure");
    await failure.getByTestId("failure-kind").waitFor();
    expect(await failure.getByTestId("failure-kind").innerText()).toBe("import_error");
    expect(await failure.getByTestId("failure-message").innerText()).toContain("cannot import name 'Item'");
    expect(await failure.getByTestId("failure-where").innerText()).toBe("main.py:2");
    expect(await failure.locator(".failure-source").innerText()).toBe("from app.models import User, Item");
    expect(await failure.getByTestId("user-frames").locator("li").allInnerTexts()).toEqual([expect.stringMatching(/^main\.py:2 in <module>/)]);
    const library = failure.locator("details.failure-library");
    expect(await library.getAttribute("open")).toBeNull();
    expect(await library.locator("summary").innerText()).toMatch(/^\d+ library frames?$/);
  });
});
