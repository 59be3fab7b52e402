import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, serveCdnStandIn } from "../support/browser.ts";
import { hostileApp } from "../support/hostile-app.ts";
import { originFetch } from "../support/preview-origin.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";

type Launched = Awaited<ReturnType<TestPlatform["runPreview"]>>;

let platform: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let hostile: Launched;
let other: Launched;
let userToken: string;
let attack: Record<string, string>;

beforeAll(async () => {
  // Local mode, as under `npm start`: the page signs itself in with POST /api/dev/token.
  platform = await startTestPlatform({ LOCAL_MODE: "true" });
  [hostile, other] = await Promise.all([platform.runPreview("alice", hostileApp), platform.runPreview("bob", hostileApp)]);
  browser = await launchBrowser();
  context = await browser.newContext();
  await serveCdnStandIn(context);
  mkdirSync("test-results", { recursive: true });

  // The Preview Tab, signed in (local mode), holding a pasted token in its sessionStorage as the
  // sign-in form keeps it, and its list of generations in localStorage.
  const tab = await context.newPage();
  await tab.goto(`${platform.gateway}/`);
  await tab.getByText("(local mode)").waitFor({ timeout: 30_000 });
  userToken = await platform.orchestrator.token("alice");
  await tab.evaluate((t) => {
    sessionStorage.setItem("previewTab.token", t);
    localStorage.setItem("previewTab.recentGenerations", JSON.stringify(["g-secret-list"]));
  }, userToken);
  // The user has also opened the other preview: its hand-off cookie is in the browser.
  const seen = await context.newPage();
  await seen.goto(`${other.origin}/hits?previewToken=${other.previewToken}`);
  expect(JSON.parse(await seen.innerText("body"))).toEqual({ secret: 0 });

  // Then opens the hostile preview, exactly as the page's docs link would (hand-off, then the clean URL).
  const page = await context.newPage();
  await page.goto(`${hostile.origin}/?previewToken=${hostile.previewToken}#platform=${encodeURIComponent(platform.gateway)}&other=${encodeURIComponent(other.origin)}`);
  expect(new URL(page.url()).search).toBe("");
  await page.waitForFunction(() => (globalThis as unknown as { __attack?: unknown }).__attack !== undefined, undefined, { timeout: 30_000 });
  attack = await page.evaluate(() => (globalThis as unknown as { __attack: Record<string, string> }).__attack);
  await page.screenshot({ path: "test-results/hostile-preview.png" });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
});

describe("a hostile preview's script, on its own origin", () => {
  it("is served at the preview's own origin, not the platform's", () => {
    expect(hostile.origin).toBe(`http://${hostile.previewId}.preview.localhost:${new URL(platform.gateway).port}`);
    expect(userToken.length).toBeGreaterThan(20);
  });

  it("cannot read the Preview Tab's token or storage", () => {
    expect(attack.ownStorage).not.toContain(userToken);
    expect(attack.ownStorage).not.toContain("previewTab");
    expect(attack.ownStorage).not.toContain("g-secret-list");
    expect(attack.platformPage).toMatch(/^blocked: TypeError/);
    expect(attack.openerStorage).toBe("read: no opener");
    // A window or frame of the platform's page is another origin: reading its storage throws (and the page refuses to be framed).
    expect(attack.popupStorage).toMatch(/^(blocked: SecurityError|read: no window)$/);
    expect(attack.frame).toBe("blocked: SecurityError");
    for (const value of Object.values(attack)) expect(value).not.toContain(userToken);
  });

  it("cannot call the platform's API with the user's credentials, nor get a dev token", () => {
    expect(attack.devToken).toMatch(/^blocked: TypeError/);
    // Sent blind (no-cors), it is refused by the server too: the Origin is not the platform's page.
    expect(attack.devTokenNoCors).toBe("read: opaque");
    expect(attack.platformApi).toMatch(/^blocked: TypeError/);
  });

  it("cannot read another preview, whose hand-off cookie is in the browser, even where that app allows any origin", async () => {
    expect(attack.otherPreview).toMatch(/^blocked: TypeError/);
    expect(attack.otherPreviewViaPath).toMatch(/^blocked: TypeError/);
    // The cookie did not authorise the cross-preview request: the other app never ran its handler.
    const hits = await originFetch(`${other.origin}/hits`, { headers: { "x-preview-token": other.previewToken } });
    expect(await hits.json()).toEqual({ secret: 0 });
  });

  it("cannot set cookies on the platform's origin", async () => {
    const names = (await context.cookies(platform.gateway)).map((c) => c.name);
    expect(names).toEqual([]);
    // It could set its own (the app's login below shows they work).
    expect((await context.cookies(hostile.origin)).map((c) => c.name)).toContain("session");
  });
});

describe("the app's own login on its origin", () => {
  it("works from its own page with a session cookie and with a bearer token", () => {
    expect(attack.cookieLogin).toBe('200 {"username":"ada","via":"cookie"}');
    expect(attack.bearerLogin).toBe('{"username":"ada","via":"bearer"}');
    // The app's cookie is host-only on the preview's origin; the hand-off cookie too, and HttpOnly.
    return context.cookies(hostile.origin).then((cookies) => {
      const session = cookies.find((c) => c.name === "session");
      const handoff = cookies.find((c) => c.name === "preview_token");
      expect(session?.domain).toBe(`${hostile.previewId}.preview.localhost`);
      expect(handoff?.domain).toBe(`${hostile.previewId}.preview.localhost`);
      expect(handoff?.httpOnly).toBe(true);
    });
  });

  it("works from /docs: Swagger's Authorize (OAuth2 password flow, JWT) then Try it out", async () => {
    const page: Page = await context.newPage();
    await page.goto(`${hostile.origin}/docs`);
    await page.locator(".auth-wrapper .authorize").click();
    await page.locator("#oauth_username").fill("ada");
    await page.locator("#oauth_password").fill("lovelace");
    await page.locator(".auth-btn-wrapper .modal-btn.authorize").click();
    await page.locator(".auth-btn-wrapper .btn-done").click();

    const operation = page.locator("#operations-default-me_users_me_get");
    await operation.locator(".opblock-summary").click();
    await operation.getByRole("button", { name: "Try it out" }).click();
    await operation.getByRole("button", { name: "Execute" }).click();
    const body = operation.locator(".live-responses-table .response-col_description pre").first();
    await body.waitFor();
    expect(JSON.parse(await body.innerText())).toEqual({ username: "ada", via: "bearer" });
    expect(await operation.locator(".curl-command, .curl").first().innerText()).toContain("Authorization: Bearer ");
    await page.screenshot({ path: "test-results/swagger-authorize-jwt.png", fullPage: true });
    await page.close();
  });

  it("works from /docs with a session cookie: Try it out on the login, then on a cookie-only route", async () => {
    const fresh = await browser.newContext();
    await serveCdnStandIn(fresh);
    const page = await fresh.newPage();
    await page.goto(`${hostile.origin}/docs?previewToken=${hostile.previewToken}`);
    const login = page.locator("#operations-default-login_session_post");
    await login.locator(".opblock-summary").click();
    await login.getByRole("button", { name: "Try it out" }).click();
    await login.locator("textarea.body-param__text").fill(JSON.stringify({ username: "ada", password: "lovelace" }));
    await login.getByRole("button", { name: "Execute" }).click();
    await login.locator(".live-responses-table .response-col_description pre").first().waitFor();

    const me = page.locator("#operations-default-session_me_session_me_get");
    await me.locator(".opblock-summary").click();
    await me.getByRole("button", { name: "Try it out" }).click();
    await me.getByRole("button", { name: "Execute" }).click();
    const body = me.locator(".live-responses-table .response-col_description pre").first();
    await body.waitFor();
    expect(JSON.parse(await body.innerText())).toEqual({ username: "ada", via: "cookie" });
    await fresh.close();
  });
});
