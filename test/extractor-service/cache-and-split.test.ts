// Split mode (orchestrator → extractor service over HTTP) and the cache by content hash, proven by
// the extractor service's own count of the extractions it was asked for.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { helloApp, importErrorApp } from "../support/fixture-apps.ts";
import { launch, previewPath, status, upload } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";
import { extractorFixture, filesOf, startTestExtractor, type TestExtractor } from "./support.ts";

let extractor: TestExtractor;
let o: TestOrchestrator;
let alice: string;
const files = filesOf(extractorFixture("constants"));
beforeAll(async () => {
  extractor = await startTestExtractor();
  o = await startTestOrchestrator({ EXTRACTOR_URL: extractor.url });
  alice = await o.token("alice");
});
afterAll(async () => {
  await o.dispose();
  await extractor.dispose();
});

const endpoints = (generationId: string) => callApi<Record<string, unknown>>(o.url, "GET", `/api/generations/${generationId}/endpoints`, { token: alice });

describe("endpoints through the extractor service", () => {
  it("asks the extractor service once per content, whatever the number of requests or generations", async () => {
    const first = await upload(o, alice, files);
    expect(extractor.extractions()).toBe(0);

    const answer = await endpoints(first);
    expect(answer.status).toBe(200);
    const expected = JSON.parse(JSON.stringify(extractEndpoints(files, { entry: "main:app" }))) as Record<string, unknown>;
    expect(answer.body).toEqual({ source: "static", ...expected });
    expect(extractor.extractions()).toBe(1);

    expect((await endpoints(first)).body).toEqual(answer.body);
    expect((await callApi(o.url, "GET", `${previewPath(first)}/endpoints`, { token: alice })).body).toEqual(answer.body);
    expect(extractor.extractions()).toBe(1);

    // Another upload of the same files is another generation with the same content hash.
    const same = await upload(o, alice, files);
    expect(same).not.toBe(first);
    expect((await endpoints(same)).body).toEqual(answer.body);
    expect(extractor.extractions()).toBe(1);

    const other = await upload(o, alice, helloApp);
    expect((await endpoints(other)).status).toBe(200);
    expect(extractor.extractions()).toBe(2);
  });

  it("concurrent first requests for one content share a single extraction", async () => {
    const id = await upload(o, alice, { ...files, "extra.py": "X = 1\n" });
    const before = extractor.extractions();
    const answers = await Promise.all(Array.from({ length: 5 }, () => endpoints(id)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(extractor.extractions()).toBe(before + 1);
  });
});

describe("when the extractor service does not answer", () => {
  let down: TestOrchestrator;
  let port: number;
  let revived: TestExtractor | undefined;
  beforeAll(async () => {
    const gone = await startTestExtractor();
    port = Number(new URL(gone.url).port);
    await gone.dispose();
    down = await startTestOrchestrator({ EXTRACTOR_URL: gone.url });
  });
  afterAll(async () => {
    await down.dispose();
    await revived?.dispose();
  });

  it("route 4 is a 503 service_unavailable while no preview runs", async () => {
    const generationId = await upload(down, alice, helloApp);
    const res = await callApi(down.url, "GET", `/api/generations/${generationId}/endpoints`, { token: alice });
    expect(res.status).toBe(503);
    expect((res.body as unknown as ErrorEnvelope).error.code).toBe("service_unavailable");
  });

  it("an extractor that refuses the request (here: over its body limit) is the same 503, never a 500", async () => {
    const strict = await startTestExtractor({ MAX_BODY_BYTES: "64" });
    const o2 = await startTestOrchestrator({ EXTRACTOR_URL: strict.url });
    try {
      const generationId = await upload(o2, alice, helloApp);
      const res = await callApi(o2.url, "GET", `/api/generations/${generationId}/endpoints`, { token: alice });
      expect(res.status).toBe(503);
      expect((res.body as unknown as ErrorEnvelope).error.code).toBe("service_unavailable");
    } finally {
      await o2.dispose();
      await strict.dispose();
    }
  });

  it("/status still answers, with no endpoints", async () => {
    const generationId = await upload(down, alice, importErrorApp);
    expect((await launch(down, alice, generationId, { wait: true })).status).toBe(422);
    const res = await status(down, alice, generationId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "failed", generatedEndpoints: [] });
  });

  it("a running preview still gives its live endpoints, with sources from the app itself, and asks the extractor again once it is back", async () => {
    const generationId = await upload(down, alice, helloApp);
    expect((await launch(down, alice, generationId, { wait: true })).status).toBe(200);
    const live = await callApi<{ source: string; endpoints: Array<Record<string, unknown>> }>(down.url, "GET", `/api/generations/${generationId}/endpoints`, { token: alice });
    expect(live.status).toBe(200);
    expect(live.body.source).toBe("live");
    // The boot program reports each route's handler location, so sources do not wait for the extractor.
    expect(live.body.endpoints.map((e) => [e["method"], e["path"], e["source"]])).toEqual([["GET", "/hello", { file: "main.py", line: 4 }]]);

    // A failed extraction is not remembered: the next request asks again.
    revived = await startTestExtractor({}, port);
    const again = await callApi<{ source: string; endpoints: Array<Record<string, unknown>> }>(down.url, "GET", `/api/generations/${generationId}/endpoints`, { token: alice });
    expect(again.body.source).toBe("live");
    expect(again.body.endpoints.map((e) => [e["method"], e["path"], e["source"]])).toEqual([["GET", "/hello", { file: "main.py", line: 4 }]]);
    expect(revived.extractions()).toBe(1);
    await callApi(down.url, "DELETE", previewPath(generationId), { token: alice });
  });
});
