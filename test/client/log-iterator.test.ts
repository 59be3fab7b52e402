import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { ConfigProvider, Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { createPreviewClient, type LogEvent, openFetchEventSource, type PreviewClient, PreviewApiError } from "../../libs/client/index.ts";
import { LogFanout } from "../../libs/logs/contract.ts";
import { makeLogger } from "../../libs/observability/logger.ts";
import { buildClient } from "../../scripts/client-build.ts";
import { serveAllInOne } from "../../services/all-in-one/serve-all-in-one.ts";
import { eventually } from "../support/api.ts";
import { proxyProbeApp } from "../support/fixture-apps.ts";
import { previewPortBlock } from "../support/port-blocks.ts";
import { testInternalToken, testJwtSecret } from "../support/test-orchestrator.ts";

const run = promisify(execFile);

// A real platform (all in one process: orchestrator, logs service, gateway) and a real uvicorn,
// read through the client's async iterator as an app would.
let service: Awaited<ReturnType<typeof serveAllInOne>>;
let base: string;
let client: PreviewClient;
let token: string;
let generationId: string;
let preview: { previewInstanceId: string; previewToken: string };
const dataDir = mkdtempSync(join(tmpdir(), "client-iterator-"));
const previews = previewPortBlock();
beforeAll(async () => {
  service = await serveAllInOne({
    configProvider: ConfigProvider.fromUnknown({
      DATA_DIR: dataDir, JWT_SECRET: testJwtSecret, INTERNAL_TOKEN: testInternalToken, PATH: process.env.PATH ?? "/usr/bin:/bin",
      ORCHESTRATOR: { RUNTIME: "host", PORT_RANGE_FROM: String(previews.from), PORT_RANGE_TO: String(previews.to) },
    }),
    logger: makeLogger("all-in-one", () => {}),
    port: 0,
  });
  base = `http://127.0.0.1:${service.server.port}`;
  token = await signUserToken(testJwtSecret, "iterating");
  client = createPreviewClient({ baseUrl: base, token: () => token });
  const created = await client.createGeneration({ files: proxyProbeApp });
  if (!created.ok) throw new Error(created.error.message);
  generationId = created.value.generationId;
  const launched = await client.launch(generationId, { wait: true });
  if (!launched.ok) throw new Error(launched.error.message);
  preview = launched.value;
});
afterAll(async () => {
  await service.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A request through the proxy: uvicorn prints an access line naming the path. */
const visit = async (path: string) => {
  const res = await fetch(`${base}/p/${preview.previewInstanceId}${path}`, { headers: { "x-preview-token": preview.previewToken } });
  await res.body?.cancel();
  expect(res.status).toBe(200);
};
const subscribers = () => service.runtime.runPromise(Effect.gen(function* () { return (yield* (yield* LogFanout).stats).subscribers; }));
const lineIds = (events: ReadonlyArray<LogEvent>) => events.flatMap((e) => (e.kind === "line" ? [e.line.id] : []));
const consecutive = (ids: ReadonlyArray<number>) => ids.every((id, i) => i === 0 || id === (ids[i - 1] ?? 0) + 1);

describe("the client's logs as an async iterator", () => {
  let lastId = 0;

  it("yields every line in order, and an abort ends the loop and closes the stream", async () => {
    const controller = new AbortController();
    const seen: LogEvent[] = [];
    for await (const event of client.followLogs(generationId, { signal: controller.signal })) {
      seen.push(event);
      if (event.kind === "line" && event.line.message.includes("Uvicorn running on")) controller.abort();
    }
    const ids = lineIds(seen);
    expect(ids[0]).toBe(1);
    expect(consecutive(ids)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ kind: "line", line: { message: expect.stringContaining("Uvicorn running on") } });
    lastId = ids.at(-1) ?? 0;
    // The stream was closed with the loop: the logs service soon holds no subscriber for it.
    await eventually(async () => ((await subscribers()) === 0 ? true : undefined), 10_000, "the stream to close");
  });

  it("resumes after a given id with no gap and no duplicate, and `break` ends it too", async () => {
    await visit("/items/71");
    await visit("/items/72");
    const seen: LogEvent[] = [];
    for await (const event of client.followLogs(generationId, { after: lastId })) {
      seen.push(event);
      if (event.kind === "line" && event.line.message.includes("GET /items/72")) {
        expect(await subscribers()).toBe(1);
        break;
      }
    }
    await eventually(async () => ((await subscribers()) === 0 ? true : undefined), 10_000, "the stream to close");
    const ids = lineIds(seen);
    expect(ids[0]).toBe(lastId + 1);
    expect(consecutive(ids)).toBe(true);
    expect(seen.some((e) => e.kind === "line" && e.line.message.includes("GET /items/71"))).toBe(true);
    lastId = ids.at(-1) ?? lastId;
  });

  it("holds at most maxBuffered events for a slow consumer, reopening after the last one held: nothing lost", async () => {
    for (let i = 0; i < 12; i++) await visit(`/items/${100 + i}`);
    const seen: LogEvent[] = [];
    let opened = 0;
    const open = (url: string) => {
      opened++;
      return openFetchEventSource(url);
    };
    for await (const event of client.followLogs(generationId, { maxBuffered: 3, open })) {
      seen.push(event);
      // A consumer slower than the stream: one event per timer turn.
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (event.kind === "line" && event.line.message.includes("GET /items/111")) break;
    }
    const ids = lineIds(seen);
    expect(ids[0]).toBe(1);
    expect(consecutive(ids)).toBe(true);
    expect(ids.at(-1)).toBeGreaterThan(lastId);
    // The replay outran the consumer: the stream was closed and reopened where it stopped.
    expect(opened).toBeGreaterThan(1);
  });

  it("throws a typed error for a generation the caller does not own", async () => {
    const intruder = createPreviewClient({ baseUrl: base, token: () => signUserToken(testJwtSecret, "intruder") });
    const failure = await (async () => {
      for await (const _ of intruder.followLogs(generationId)) return undefined;
      return undefined;
    })().then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(PreviewApiError);
    const code = (failure as PreviewApiError).error.code;
    expect(["generation_not_found", "preview_not_found"]).toContain(code);
  });

  it("runs from the built package in plain Node and in Deno with no wiring (fetch-based in Node, Deno's own EventSource)", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "client-package-"));
    try {
      await buildClient(outDir);
      const script = join(outDir, "follow.mjs");
      writeFileSync(script, [
        `import { createPreviewClient } from ${JSON.stringify(pathToFileURL(join(outDir, "index.js")).href)};`,
        "const [base, token, generationId, after] = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Deno.args;",
        "const client = createPreviewClient({ baseUrl: base, token: () => token });",
        "const ids = [];",
        "for await (const e of client.followLogs(generationId, { after: Number(after) })) {",
        "  if (e.kind === 'line') ids.push(e.line.id);",
        "  if (ids.length === 3) break;",
        "}",
        "console.log(JSON.stringify(ids));",
      ].join("\n"));
      const args = [base, token, generationId, "2"];
      const node = await run(process.execPath, [script, ...args], { timeout: 60_000 });
      expect(JSON.parse(node.stdout)).toEqual([3, 4, 5]);
      const deno = await run("node_modules/.bin/deno", ["run", "--allow-net=127.0.0.1", `--allow-read=${outDir}`, script, ...args], { timeout: 60_000 });
      expect(JSON.parse(deno.stdout)).toEqual([3, 4, 5]);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it("ends by itself after the preview's final status", async () => {
    const seen: LogEvent[] = [];
    const following = (async () => {
      for await (const event of client.followLogs(generationId, { after: lastId })) seen.push(event);
    })();
    const stopped = await client.stop(generationId);
    expect(stopped.ok).toBe(true);
    await following;
    expect(seen.at(-1)).toEqual({ kind: "status", status: "stopped" });
  });
});
