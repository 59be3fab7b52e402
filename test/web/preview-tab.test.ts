import { mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { launchBrowser, serveCdnStandIn } from "../support/browser.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { projectFolder, screenshotDir, shopApp } from "./support.ts";

let platform: PlatformProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let folder: string;
beforeAll(async () => {
  [platform, browser] = await Promise.all([startPlatformProcess(), launchBrowser()]);
  mkdirSync(screenshotDir, { recursive: true });
  folder = projectFolder(shopApp);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await serveCdnStandIn(context);
  // Keeps a handle on each EventSource the page opens, so the test can cut the stream.
  await context.addInitScript({ content: `(() => {
    const Native = window.EventSource;
    window.__eventSources = [];
    window.EventSource = class extends Native {
      constructor(url, init) { super(url, init); window.__eventSources.push(this); }
    };
  })()` });
  page = await context.newPage();
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await platform?.stop();
  if (folder !== undefined) rmSync(dirname(folder), { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: `${screenshotDir}/${name}.png`, fullPage: true });

/** The ids of the log rows in the DOM, in order. */
const rowIds = async (): Promise<number[]> =>
  (await page.locator("#log-viewport .log-row").evaluateAll((rows) => rows.map((r) => Number((r as unknown as { dataset: { id?: string } }).dataset.id)))).sort((a, b) => a - b);

const tryIt = async (endpoint: string, fill: (panel: ReturnType<Page["locator"]>) => Promise<void>) => {
  const panel = page.locator(`details[data-endpoint="${endpoint}"]`);
  if ((await panel.getAttribute("open")) === null) await panel.locator(":scope > summary").click();
  await fill(panel);
  await panel.getByRole("button", { name: "Send" }).click();
  await panel.getByTestId("response-status").waitFor();
  return {
    panel,
    status: Number(await panel.getByTestId("response-status").innerText()),
    body: JSON.parse(await panel.getByTestId("response-body").innerText()) as unknown,
  };
};

describe("the Preview Tab page, against `npm start`", () => {
  it("uploads a folder, launches, shows logs and endpoints, tries them, opens /docs, survives a stream drop, and stops", async () => {
    // Local mode (npm start's default): signed in without a pasted token.
    await page.goto(`${platform.gateway}/`);
    await page.getByText("Signed in as local (local mode)").waitFor();

    // Upload the folder through the directory picker: only the project's text files go up.
    await page.locator("#folder-input").setInputFiles(folder);
    await page.getByTestId("generation-id").waitFor();
    const generationId = await page.getByTestId("generation-id").innerText();
    await expect.poll(() => page.locator("#project-message").innerText()).toMatch(/^Uploaded 3 files/);
    expect(await page.locator("#upload-progress").getAttribute("value")).toBe("100");
    await shot("01-uploaded");

    // Launch: the uvicorn startup line appears in the log view, the status turns running.
    await page.getByRole("button", { name: "Launch" }).click();
    await page.locator("#log-viewport .log-row", { hasText: "Uvicorn running on" }).waitFor({ timeout: 60_000 });
    await page.locator("#status-badge[data-status=running]").waitFor();
    await expect.poll(() => page.locator("#uptime").innerText()).toMatch(/^\d+s$/);
    await expect.poll(() => page.locator("#expires-in").innerText()).toMatch(/^\d+m \d\ds$/);
    await shot("02-running-with-logs");

    // The endpoint list, grouped by tag, with method badges and highlighted path parameters.
    await page.locator('details[data-endpoint="GET /items/{item_id}"]').waitFor();
    expect(await page.locator(".endpoint-group h3").allTextContents()).toEqual(expect.arrayContaining(["items", "meta"]));
    expect(await page.locator("details.endpoint").evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { endpoint?: string } }).dataset.endpoint).sort()))
      .toEqual(["GET /health", "GET /items/{item_id}", "POST /items/"]);
    expect(await page.locator('details[data-endpoint="GET /items/{item_id}"] .path-param').innerText()).toBe("{item_id}");
    expect(await page.locator('details[data-endpoint="POST /items/"] .method').innerText()).toBe("POST");
    await shot("03-endpoints");

    // "Try it" on a GET (path and query fields) and a POST (JSON body), through route 5.
    const get = await tryIt("GET /items/{item_id}", async (panel) => {
      await panel.getByRole("textbox", { name: /^item_id\b/ }).fill("7");
      await panel.getByRole("textbox", { name: /^q\b/ }).fill("hat");
    });
    expect(get.status).toBe(200);
    expect(get.body).toEqual({ item_id: 7, q: "hat" });
    expect(await get.panel.getByTestId("response-duration").innerText()).toMatch(/^\d+(\.\d)? ms$/);
    await get.panel.locator(".result-headers summary").click();
    expect(await get.panel.locator(".result-headers").innerText()).toContain("content-type");
    await shot("04-try-get");
    const post = await tryIt("POST /items/", async (panel) => {
      await panel.getByLabel(/Request body/).fill(JSON.stringify({ name: "hat", price: 9.5 }));
    });
    expect(post.status).toBe(201);
    expect(post.body).toEqual({ created: { name: "hat", price: 9.5 } });
    await shot("05-try-post");
    // The preview's ANSI-coloured print is rendered as a coloured span, not as escape codes.
    const coloured = page.locator("#log-viewport .log-row", { hasText: "read item 7" }).locator(".ansi-fg-2");
    await coloured.waitFor();
    expect(await coloured.innerText()).toBe("read item 7");

    // A network drop: the test cuts the page's stream; it resumes after the last line, without duplicates.
    const before = await rowIds();
    await page.evaluate(`(() => { const s = window.__eventSources.at(-1); s.close(); s.dispatchEvent(new Event("error")); })()`);
    // PreviewLogStream saw the stream closed for good and opened a new one after the last id it had.
    await expect.poll(() => page.evaluate("window.__eventSources.length"), { timeout: 15_000 }).toBe(2);
    const resumedAfter = Number(/[?&]lastEventId=(\d+)/.exec(String(await page.evaluate("window.__eventSources[1].url")))?.[1]);
    expect(resumedAfter).toBeGreaterThanOrEqual(before.at(-1) ?? Infinity);
    const again = await tryIt("GET /items/{item_id}", async (panel) => {
      await panel.getByRole("textbox", { name: /^item_id\b/ }).fill("8");
    });
    expect(again.status).toBe(200);
    await page.locator("#log-viewport .log-row", { hasText: "read item 8" }).waitFor();
    const token = ((await callApi<{ token: string }>(platform.gateway, "POST", "/api/dev/token")).body).token;
    // The view holds exactly the stored lines: every id once, none missing.
    const stored = await eventually(async () => {
      const history = await callApi<{ logs: Array<{ id: number }> }>(platform.gateway, "GET", `/api/generations/${generationId}/preview/logs?limit=1000`, { token });
      const ids = history.body.logs.map((l) => l.id);
      return JSON.stringify(ids) === JSON.stringify(await rowIds()) ? ids : undefined;
    }, 20_000, "the view to show exactly the stored lines");
    expect(new Set(stored).size).toBe(stored.length);
    expect(stored.slice(0, before.length)).toEqual(before);
    await shot("06-after-stream-drop");

    // The preview's own /docs on its own origin (token hand-off → cookie → clean URL).
    const [docs] = await Promise.all([context.waitForEvent("page"), page.getByRole("link", { name: /Open \/docs/ }).click()]);
    await docs.locator(".swagger-ui .information-container").waitFor({ timeout: 30_000 });
    expect(docs.url()).toMatch(new RegExp(`^http://[0-9a-z]{20}\\.preview\\.localhost:${new URL(platform.gateway).port}/docs$`));
    expect(await docs.locator(".swagger-ui").innerText()).toContain("/items/{item_id}");
    await docs.screenshot({ path: `${screenshotDir}/07-preview-docs.png`, fullPage: true });
    await docs.close();

    // Stop: the status changes and the stream ends.
    await page.locator("#stop-button").click();
    await page.locator("#status-badge[data-status=stopped]").waitFor();
    await page.locator("#connection[data-state=ended]").waitFor();
    expect(await page.getByRole("button", { name: "Launch" }).isEnabled()).toBe(true);
    await shot("08-stopped");
  }, 240_000);
});
