// @vitest-environment jsdom
// jsdom has no EventSource: the hook is given openFetchEventSource (the same contract over fetch).
import { createElement } from "react";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPreviewClient } from "../../libs/client/api-client.ts";
import { openFetchEventSource } from "../../libs/client/fetch-event-source.ts";
import { type PreviewLogs, usePreviewLogs } from "../../libs/client/react/use-preview-logs.ts";
import { callApi } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { type PlatformProcess, startPlatformProcess } from "../support/platform-process.ts";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** The part of jsdom's document this test uses (the project compiles without DOM types). */
interface TestDocument {
  createElement(tag: "div"): Element & { readonly textContent: string | null };
  readonly body: { append(node: Element): void };
}
const doc = (globalThis as unknown as { document: TestDocument }).document;

let platform: PlatformProcess;
beforeAll(async () => {
  platform = await startPlatformProcess();
});
afterAll(async () => {
  await platform?.stop();
});

/** Lets React and the stream work inside act() until `check` holds. */
const until = async (check: () => boolean, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await act(() => new Promise<void>((resolve) => setTimeout(resolve, 50)));
  }
};

describe("usePreviewLogs in a DOM, against the real logs stream", () => {
  it("delivers the lines in order with uvicorn's startup line, and the status turns stopped after a DELETE", async () => {
    // The dev-only sign-in route of local mode (npm start's default).
    const { token } = (await callApi<{ token: string }>(platform.gateway, "POST", "/api/dev/token")).body;
    const client = createPreviewClient({ baseUrl: platform.gateway, token: () => token });
    const created = await client.createGeneration({ files: helloApp });
    if (!created.ok) throw new Error(created.error.message);
    const generationId = created.value.generationId;
    const launched = await client.launch(generationId, { wait: true });
    expect(launched.ok).toBe(true);

    let latest: PreviewLogs | undefined;
    const statuses: string[] = [];
    const Probe = (props: { readonly generationId: string }) => {
      const logs = usePreviewLogs(props.generationId, { client, open: (url) => openFetchEventSource(url) });
      latest = logs;
      if (logs.status !== undefined && statuses.at(-1) !== logs.status) statuses.push(logs.status);
      return createElement("pre", { "data-connection": logs.connection }, logs.lines.map((l) => `${l.id} ${l.message}`).join("\n"));
    };
    const container = doc.createElement("div");
    doc.body.append(container);
    let root: Root | undefined;
    await act(async () => {
      root = createRoot(container);
      root.render(createElement(Probe, { generationId }));
    });

    await until(() => (container.textContent ?? "").includes("Uvicorn running on"), "uvicorn's startup line in the rendered output");
    const ids = latest?.lines.map((l) => l.id) ?? [];
    expect(ids.length).toBeGreaterThan(1);
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? Infinity))).toBe(true);
    expect(latest?.status).toBe("running");
    expect(latest?.connection).not.toBe("closed");

    const stopped = await client.stop(generationId);
    expect(stopped.ok).toBe(true);
    await until(() => latest?.status === "stopped", "the status to turn stopped");
    await until(() => latest?.connection === "ended", "the stream to end");
    expect(statuses).toEqual(["running", "stopped"]);
    // Nothing was repeated, whatever reconnects happened.
    const all = latest?.lines.map((l) => l.id) ?? [];
    expect(new Set(all).size).toBe(all.length);

    await act(async () => root?.unmount());
  }, 90_000);
});
