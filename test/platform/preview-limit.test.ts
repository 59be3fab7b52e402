// At the live-preview limit, a launch is refused, and both the CLI (in a pseudo-terminal) and the
// page show the way out: which previews are live, and how to stop one. A user who lost a
// preview's id must not be stuck. Against a real `npm start` platform with a limit of one.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi } from "../support/api.ts";
import { launchBrowser } from "../support/browser.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";
import { runInPty } from "../support/pty.ts";

let platform: PlatformProcess;
let browser: Browser;
let token: string;
let dir: string;
beforeAll(async () => {
  [platform, browser] = await Promise.all([startPlatformProcess({ env: { ORCHESTRATOR_MAX_INSTANCES_PER_USER: "1" } }), launchBrowser()]);
  token = (await callApi<{ token: string }>(platform.gateway, "POST", "/api/dev/token")).body.token;
  dir = mkdtempSync(join(tmpdir(), "cli-project-"));
  writeFileSync(join(dir, "main.py"), helloApp["main.py"]);
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const generation = async () =>
  (await callApi<{ generationId: string }>(platform.gateway, "POST", "/api/generations", { token, json: { files: helloApp } })).body.generationId;

const launch = async (generationId: string) =>
  callApi<{ previewInstanceId: string; status: string; previewUrl: string }>(platform.gateway, "POST", `/api/generations/${generationId}/preview/launch`, { token, json: { wait: true } });

describe("at the live-preview limit", () => {
  it("the CLI names the live previews and the command that stops one (exit 1); following it frees the slot", async () => {
    const first = await generation();
    const running = (await launch(first)).body;
    expect(running.status).toBe("running");

    const refused = await runInPty(platform.env, "preview", [dir]);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/✖ launch +You already have 1 live previews, the most allowed; stop one first \(preview_limit_reached, HTTP 409/);
    const hint = refused.output.slice(refused.output.indexOf("  Your live previews:"));
    expect(hint.split("\n").filter((l) => l !== "")).toEqual([
      "  Your live previews:",
      expect.stringMatching(new RegExp(`^    ${running.previewInstanceId}  generation ${first}  running +${running.previewUrl.replace(/[.]/g, "\\.")}$`)),
      "  Stop one with `npm run preview -- stop <id>` (or `stop all`), then launch again.",
    ]);
    expect(refused.output).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);

    // Its log lines print in the reader's zone (TZ), not UTC: the same line as --json, at +05:30.
    const [last] = (await runInPty(platform.env, "preview", ["logs", running.previewInstanceId, "--json", "--tail", "1"])).output.trim().split("\n")
      .map((l) => JSON.parse(l) as { timestamp: string; message: string });
    if (last === undefined) throw new Error("no log line");
    const kolkata = new Date(Date.parse(last.timestamp) + 330 * 60_000).toISOString().slice(11, 23);
    const text = await runInPty({ ...platform.env, TZ: "Asia/Kolkata" }, "preview", ["logs", running.previewInstanceId, "--tail", "1"]);
    expect(text.code).toBe(0);
    expect(text.output).toMatch(new RegExp(`^${kolkata} `));
    expect(text.output).toContain(last.message);

    const stopped = await runInPty(platform.env, "preview", ["stop", running.previewInstanceId]);
    expect(stopped.code).toBe(0);
    expect((await launch(await generation())).body.status).toBe("running");
  }, 120_000);

  it("the page says so and lists the live one with its Stop; stopping it there lets the launch through", async () => {
    const live = (await callApi<{ previews: Array<{ generationId: string; previewInstanceId: string }> }>(platform.gateway, "GET", "/api/previews?status=live", { token })).body.previews;
    expect(live).toHaveLength(1);
    const blocker = live[0]?.generationId ?? "";
    const mine = await generation();
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${platform.gateway}/#g=${mine}`);
    await page.getByText("Signed in as local (local mode)").waitFor();
    await page.locator("#launch-button").click();
    await page.locator("#preview-message.error", { hasText: "stop one under My previews (above), then launch again." }).waitFor();
    const item = page.locator(".my-preview[data-status=running]", { hasText: blocker });
    await item.getByRole("button", { name: `Stop ${blocker}` }).click();
    await page.locator(".my-preview[data-status=stopped]", { hasText: blocker }).waitFor();
    await page.locator("#launch-button").click();
    await page.locator("#status-badge[data-status=running]").waitFor({ timeout: 60_000 });
    expect(await page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth")).toBe(0);
    await context.close();
  }, 120_000);
});
