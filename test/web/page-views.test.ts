// The Preview Tab page as a user sees it at 1440 px and at 360 px (a phone): "My previews", the
// preview URL with copy and the sign-in (token hand-off) link, a failure's diagnosis, logs in the
// viewer's own time zone with levels read from Python's logging formats, wrap and export, the
// idle countdown, nothing stale after Stop or a bad id, the interactive API reference, and no
// horizontal scroll on a phone. Against a real `npm start` platform and Debian's Chromium.
import { mkdirSync, readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { launchBrowser } from "../support/browser.ts";
import { importErrorApp } from "../support/fixture-apps.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { screenshotDir } from "./support.ts";

/** Logs through `logging` as `%(levelname)s %(name)s: %(message)s` (to stderr) and prints one very long line. */
const loggingApp = {
  "main.py": [
    "import logging",
    "from fastapi import FastAPI",
    "logging.basicConfig(format='%(levelname)s %(name)s: %(message)s', level=logging.INFO)",
    "log = logging.getLogger('shop.db')",
    "app = FastAPI()",
    "",
    "@app.on_event('startup')",
    "def started():",
    "    log.warning('slow query took 2.5 s')",
    "    print('LONG ' + 'x' * 300 + ' END', flush=True)",
    "",
    "@app.get('/hello')",
    "def hello():",
    "    return {'message': 'hi'}",
    "",
  ].join("\n"),
};

const zone = "Asia/Kolkata"; // UTC+05:30 all year: a test run in UTC still sees the conversion
const longLine = `LONG ${"x".repeat(300)} END`;

let platform: PlatformProcess;
let browser: Browser;
let token: string;
let good: string;
let broken: string;
/** Ran and stopped before the tests: its logs are history. */
let ended: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [platform, browser] = await Promise.all([startPlatformProcess(), launchBrowser()]);
  mkdirSync(screenshotDir, { recursive: true });
  token = (await callApi<{ token: string }>(platform.gateway, "POST", "/api/dev/token")).body.token;
  const create = async (files: Record<string, string>) =>
    (await callApi<{ generationId: string }>(platform.gateway, "POST", "/api/generations", { token, json: { files } })).body.generationId;
  [good, broken, ended] = await Promise.all([create(loggingApp), create(importErrorApp), create(loggingApp)]);
  const ran = await callApi<{ status: string }>(platform.gateway, "POST", `/api/generations/${ended}/preview/launch`, { token, json: { wait: true } });
  expect(ran.body.status).toBe("running");
  await eventually(async () => {
    const logs = await callApi<{ logs: Array<{ message: string }> }>(platform.gateway, "GET", `/api/generations/${ended}/preview/logs?limit=1000`, { token });
    return logs.body.logs.some((l) => l.message === longLine) || undefined;
  }, 30_000, "the long line to be stored");
  expect((await callApi(platform.gateway, "DELETE", `/api/generations/${ended}/preview`, { token })).status).toBe(200);
  await callApi(platform.gateway, "POST", `/api/generations/${broken}/preview/launch`, { token, json: { wait: true } });
  await eventually(async () => (await callApi<{ status: string }>(platform.gateway, "GET", `/api/generations/${broken}/preview/status`, { token })).body.status === "failed" || undefined, 60_000, "the broken preview to fail");
}, 180_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await platform?.stop();
});

const open = async (width: number, height: number): Promise<{ context: BrowserContext; page: Page }> => {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId: zone, acceptDownloads: true });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: platform.gateway });
  contexts.push(context);
  return { context, page: await context.newPage() };
};

// What runs in the page is written as strings: this project's tests have no DOM types.
/** The page scrolls only vertically: nothing is wider than the window. */
const horizontalOverflow = (page: Page) =>
  page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");

interface RowBox { top: number; bottom: number; height: number; scrollWidth: number; clientWidth: number; nextTop?: number }
const rowBox = (page: Page, text: string): Promise<RowBox> =>
  page.evaluate<RowBox>(`((text) => {
    const row = [...document.querySelectorAll("#log-viewport .log-row")].find((r) => r.textContent.includes(text));
    const r = row.getBoundingClientRect();
    const next = row.nextElementSibling?.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, height: r.height, scrollWidth: row.scrollWidth, clientWidth: row.clientWidth, nextTop: next?.top };
  })(${JSON.stringify(text)})`);

/** Screen lines the browser laid the row's message out on. */
const messageLines = (page: Page, text: string): Promise<number> =>
  page.evaluate<number>(`[...document.querySelectorAll("#log-viewport .log-row")].find((r) => r.textContent.includes(${JSON.stringify(text)})).querySelector(".log-message").getClientRects().length`);

const clipboard = (page: Page) => page.evaluate<string>("navigator.clipboard.readText()");

describe("the page at 1440 px", () => {
  it("lists my previews, launches, shows and copies the URL and sign-in link, local-time logs with levels, wrap, export, idle countdown; clears stale state; links the API reference", async () => {
    const { context, page } = await open(1440, 900);
    const shot = (name: string) => page.screenshot({ path: `${screenshotDir}/views-1440-${name}.png`, fullPage: true });
    await page.goto(`${platform.gateway}/#g=${good}`);
    await page.getByText("Signed in as local (local mode)").waitFor();

    // My previews: the failed launch is there, with the kind of failure.
    const failedItem = page.locator(`.my-preview[data-status=failed]`);
    await failedItem.waitFor();
    expect(await failedItem.locator("code").first().innerText()).toBe(broken);
    expect(await failedItem.getByTestId("preview-failure-kind").innerText()).toBe("import_error");

    // Launch: running, and the app's logging record is read as WARN (it went to stderr, read as INFO unless parsed).
    await page.getByRole("button", { name: "Launch" }).click();
    await page.locator("#status-badge[data-status=running]").waitFor({ timeout: 60_000 });
    const warning = page.locator("#log-viewport .log-row", { hasText: "slow query took 2.5 s" });
    await warning.waitFor({ timeout: 30_000 });
    expect(await warning.getAttribute("class")).toContain("level-WARN");
    expect((await warning.locator(".log-level").innerText()).trim()).toBe("WARN");

    // Times in the viewer's zone, and the zone said: the stored UTC timestamp, shown at +05:30.
    const id = Number(await warning.getAttribute("data-id"));
    const stored = await eventually(async () => {
      const history = await callApi<{ logs: Array<{ id: number; timestamp: string }> }>(platform.gateway, "GET", `/api/generations/${good}/preview/logs?limit=1000`, { token });
      return history.body.logs.find((l) => l.id === id);
    }, 20_000, "the warning to be stored");
    const at = new Date(stored.timestamp);
    const kolkata = new Date(at.getTime() + 330 * 60_000);
    const expected = `${kolkata.toISOString().slice(11, 23)}`;
    expect(await warning.locator(".log-time").innerText()).toBe(expected);
    // (ICU may name the zone by its older alias.)
    expect(await page.getByTestId("log-zone").innerText()).toMatch(/^Times in Asia\/(Kolkata|Calcutta) \(UTC\+05:30\)$/);

    // The preview URL, copied; the sign-in link (the token hand-off), copied too.
    const status = (await callApi<{ previewUrl: string; baseUrl: string }>(platform.gateway, "GET", `/api/generations/${good}/preview/status`, { token })).body;
    expect(await page.getByTestId("preview-url").innerText()).toBe(status.previewUrl);
    await page.getByRole("button", { name: "Copy URL" }).click();
    await page.locator("#copy-message", { hasText: "Preview URL copied." }).waitFor();
    expect(await clipboard(page)).toBe(status.previewUrl);
    const handoff = await page.getByTestId("handoff-link").getAttribute("href");
    expect(handoff).toMatch(new RegExp(`^${status.previewUrl.replace(/[.]/g, "\\.")}\\?previewToken=.+`));
    await page.getByRole("button", { name: "Copy link" }).click();
    await page.locator("#copy-message", { hasText: "Sign-in link copied." }).waitFor();
    expect(await clipboard(page)).toBe(handoff);
    // Whoever opens the link (another browser profile, no cookie yet) reaches the app.
    const friend = await browser.newContext();
    contexts.push(friend);
    const friendPage = await friend.newPage();
    await friendPage.goto(handoff ?? "");
    expect(friendPage.url()).toBe(status.previewUrl); // the token left the address bar
    await friendPage.goto(`${status.baseUrl}/hello`);
    expect(JSON.parse(await friendPage.locator("body").innerText())).toEqual({ message: "hi" });
    // Another tab of this browser opens it too: the token is not kept in the launching tab alone.
    const otherTab = await context.newPage();
    await otherTab.goto(`${platform.gateway}/#g=${good}`);
    await otherTab.getByRole("link", { name: /Open \/docs/ }).waitFor();
    expect(await otherTab.getByTestId("handoff-link").getAttribute("href")).toBe(handoff);
    await otherTab.close();

    // The idle stop counts down (30 minutes by default, reset by activity).
    await expect.poll(() => page.locator("#idle-in").innerText()).toMatch(/^\d+m \d\ds$/);
    expect(await page.locator("#expires-in").innerText()).toMatch(/^\d+m \d\ds$/);

    // My previews: the running one, marked as the one open here, with its URL.
    const runningItem = page.locator(".my-preview.current[data-status=running]");
    await runningItem.waitFor();
    expect(await runningItem.locator(".address").innerText()).toBe(status.previewUrl);
    await shot("running");

    // Wrap: one line, scrolled sideways inside the view; wrapped, as tall as its text, the next row below it.
    expect(await page.locator("#wrap-toggle").isChecked()).toBe(false);
    const long = page.locator("#log-viewport .log-row", { hasText: "LONG xxx" });
    await long.waitFor();
    const unwrapped = await rowBox(page, "LONG xxx");
    expect(unwrapped.height).toBe(20);
    expect(unwrapped.scrollWidth).toBeGreaterThan(await page.evaluate<number>(`document.getElementById("log-viewport").clientWidth`));
    await page.getByLabel("Wrap lines").check();
    await expect.poll(async () => (await rowBox(page, "LONG xxx")).height).toBeGreaterThan(20);
    const wrapped = await rowBox(page, "LONG xxx");
    expect(wrapped.scrollWidth).toBeLessThanOrEqual(wrapped.clientWidth);
    if (wrapped.nextTop !== undefined) expect(wrapped.nextTop).toBeGreaterThanOrEqual(wrapped.bottom - 0.5);
    // The text fits the height it was given: the browser's own line count equals ours.
    const lines = await messageLines(page, "LONG xxx");
    expect(wrapped.height).toBe(lines * 20);
    await shot("wrapped");

    // Export: the whole log as a file.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export .txt" }).click()]);
    const exported = readFileSync(await download.path(), "utf8");
    expect(download.suggestedFilename()).toMatch(/^preview-[0-9a-z]+-logs\.txt$/);
    expect(exported).toMatch(/ WARN  \[stderr\] WARNING shop\.db: slow query took 2\.5 s\n/);
    expect(exported).toContain(longLine);

    // The API reference, linked from the page: Swagger UI over /api/openapi.json, every operation, try-it signed in.
    const document = (await callApi<{ paths: Record<string, Record<string, unknown>> }>(platform.gateway, "GET", "/api/openapi.json")).body;
    const operations = Object.values(document.paths).reduce((n, ops) => n + Object.keys(ops).filter((m) => m !== "parameters").length, 0);
    const [reference] = await Promise.all([context.waitForEvent("page"), page.getByRole("link", { name: /API reference/ }).click()]);
    await reference.locator("body[data-ready=true]").waitFor({ timeout: 30_000 });
    expect(reference.url()).toBe(`${platform.gateway}/api/reference`);
    await expect.poll(() => reference.locator(".opblock").count()).toBe(operations);
    const list = reference.locator(".opblock-get", { has: reference.locator('[data-path="/api/previews"]') });
    await list.locator(".opblock-summary").first().click();
    await list.getByRole("button", { name: "Try it out" }).click();
    await list.getByRole("button", { name: "Execute" }).click();
    const answered = list.locator(".live-responses-table tr.response .response-col_status").first();
    await answered.waitFor({ timeout: 20_000 });
    expect(await answered.innerText()).toBe("200");
    expect(await list.locator(".live-responses-table tr.response .response-col_description").first().innerText()).toContain(good);
    await reference.screenshot({ path: `${screenshotDir}/views-1440-reference.png` });
    await reference.close();

    // Stop: the endpoints no longer claim to come from a running app; the idle countdown is gone.
    await page.locator("#stop-button").click();
    await page.locator("#status-badge[data-status=stopped]").waitFor();
    await expect.poll(() => page.locator("#endpoints-source").innerText()).toBe("found in the code (static, no preview running)");
    expect(await page.locator("#idle-in").innerText()).toBe("–");
    expect(await page.locator("#preview-address").isHidden()).toBe(true);
    await page.locator(`.my-preview[data-status=stopped]`, { hasText: good }).waitFor();

    // An unknown id: the error is said and nothing of the previous project stays on screen.
    await page.locator("#generation-input").fill("no-such-generation");
    await page.getByRole("button", { name: "Open", exact: true }).click();
    await page.locator("#project-message.error").waitFor();
    expect(await page.locator("#project-message").innerText()).toContain("no-such-generation");
    expect(await page.locator("#generation-info").innerText()).toBe("");
    for (const panel of ["#preview-panel", "#logs-panel", "#endpoints-panel"]) expect(await page.locator(panel).isHidden()).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await shot("unknown-id");
  }, 240_000);
});

describe("the page at 360 px", () => {
  it("shows a failure's diagnosis, my previews and wrapped logs without horizontal scroll", async () => {
    const { page } = await open(360, 740);
    const shot = (name: string) => page.screenshot({ path: `${screenshotDir}/views-360-${name}.png`, fullPage: true });
    await page.goto(`${platform.gateway}/#g=${broken}`);
    await page.getByText("Signed in as local (local mode)").waitFor();

    // The failure: kind, message, the user's file and line; the long traceback lines wrap.
    await page.getByTestId("failure-kind").waitFor();
    expect(await page.getByTestId("failure-kind").innerText()).toBe("import_error");
    expect(await page.getByTestId("failure-where").innerText()).toMatch(/^helpers\.py:4$/);
    await page.locator(".my-preview").first().waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    const failure = await page.locator("#failure").boundingBox();
    expect((failure?.x ?? -1) + (failure?.width ?? Infinity)).toBeLessThanOrEqual(360);
    await shot("failure");

    // The stopped preview's logs: wrapped by default on a phone, each screen line well over 20 characters.
    await page.locator(".my-preview", { hasText: ended }).getByRole("button", { name: ended, exact: true }).click();
    await expect.poll(() => page.evaluate<string>("window.location.hash")).toBe(`#g=${ended}`);
    const long = page.locator("#log-viewport .log-row", { hasText: "LONG xxx" });
    await long.waitFor({ timeout: 30_000 });
    expect(await page.locator("#wrap-toggle").isChecked()).toBe(true);
    const box = await rowBox(page, "LONG xxx");
    const screenLines = box.height / 20;
    const perLine = Math.floor((19 + longLine.length) / (screenLines - 1));
    expect(perLine).toBeGreaterThanOrEqual(30);
    expect(box.scrollWidth).toBeLessThanOrEqual(box.clientWidth);
    expect(await messageLines(page, "LONG xxx")).toBe(screenLines);
    expect(await horizontalOverflow(page)).toBe(0);
    await shot("logs");

    // An endpoint's "try it" form fits too.
    const endpoint = page.locator('details[data-endpoint="GET /hello"]');
    await endpoint.locator(":scope > summary").click();
    await endpoint.getByRole("button", { name: "Send" }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);

    // Unwrapped, the long line scrolls inside the log view, not the page.
    await page.getByLabel("Wrap lines").uncheck();
    await expect.poll(async () => (await rowBox(page, "LONG xxx")).height).toBe(20);
    expect(await horizontalOverflow(page)).toBe(0);
  }, 120_000);
});
