// GET /api/previews: the caller's previews, live and ended, newest first, a page at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreviewPage } from "../../libs/previews/listing.ts";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { launch, previewPath, upload } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";

let o: TestOrchestrator;
let alice: string;
let bob: string;
/** Alice's previews in launch order: two stopped, then one running. */
const launched: Array<{ generationId: string; previewInstanceId: string; previewUrl: string }> = [];
let bobsPreview: string;

const list = (token: string, query = "") => callApi<PreviewPage>(o.url, "GET", `/api/previews${query}`, { token });

beforeAll(async () => {
  o = await startTestOrchestrator();
  alice = await o.token("alice");
  bob = await o.token("bob");
  for (let i = 0; i < 3; i++) {
    const generationId = await upload(o, alice, helloApp);
    const res = await launch(o, alice, generationId, { wait: true });
    expect(res.body.status).toBe("running");
    launched.push({ generationId, previewInstanceId: res.body.previewInstanceId as string, previewUrl: res.body.previewUrl as string });
    if (i < 2) expect((await callApi(o.url, "DELETE", previewPath(generationId), { token: alice })).status).toBe(200);
  }
  const bobs = await launch(o, bob, await upload(o, bob, helloApp), { wait: true });
  bobsPreview = bobs.body.previewInstanceId as string;
}, 120_000);
afterAll(() => o.dispose());

describe("GET /api/previews", () => {
  it("lists only the caller's previews, newest first, with status and URLs", async () => {
    const res = await list(alice);
    expect(res.status).toBe(200);
    expect(res.body.previews.map((p) => p.previewInstanceId)).toEqual([...launched].reverse().map((p) => p.previewInstanceId));
    expect(res.body.previews.map((p) => p.status)).toEqual(["running", "stopped", "stopped"]);
    const newest = res.body.previews[0];
    expect(launched[2]?.previewUrl).toContain(launched[2]?.previewInstanceId);
    expect(newest).toMatchObject({
      generationId: launched[2]?.generationId,
      // The preview's own origin, as its launch gave it.
      previewUrl: launched[2]?.previewUrl,
      runtime: "host",
      stoppedAt: null,
    });
    expect(res.body.previews[1]?.stoppedAt).toEqual(expect.any(String));
    expect(res.body.nextCursor).toBeNull();
    expect(JSON.stringify(res.body)).not.toContain(bobsPreview);

    const bobs = await list(bob);
    expect(bobs.body.previews.map((p) => p.previewInstanceId)).toEqual([bobsPreview]);
  });

  it("pages with limit and the cursor it hands out, without repeats or gaps", async () => {
    const first = await list(alice, "?limit=2");
    expect(first.body.previews).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list(alice, `?limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? "")}`);
    expect(second.body.previews).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect([...first.body.previews, ...second.body.previews].map((p) => p.previewInstanceId))
      .toEqual([...launched].reverse().map((p) => p.previewInstanceId));
  });

  it("filters live and ended previews, and by one status", async () => {
    expect((await list(alice, "?status=live")).body.previews.map((p) => p.previewInstanceId)).toEqual([launched[2]?.previewInstanceId]);
    expect((await list(alice, "?status=ended")).body.previews.map((p) => p.status)).toEqual(["stopped", "stopped"]);
    expect((await list(alice, "?status=crashed")).body.previews).toEqual([]);
  });

  it.each([
    ["?limit=0", 'Invalid query parameter "limit": Expected a value between 1 and 100'],
    ["?limit=101", 'Invalid query parameter "limit": Expected a value between 1 and 100'],
    ["?limit=ten", 'Invalid query parameter "limit": Expected a string representing a finite number'],
    ["?limit=2.5", 'Invalid query parameter "limit": Expected an integer'],
    ["?status=sleeping", 'Invalid query parameter "status": Expected "live" | "ended" | "launching" | "running"'],
    ["?cursor=not-a-cursor", "cursor is not one this API handed out"],
  ])("%s is a 400 naming the parameter", async (query, message) => {
    const res = await list(alice, query);
    expect(res.status).toBe(400);
    expect((res.body as unknown as ErrorEnvelope).error.code).toBe("invalid_request");
    expect((res.body as unknown as ErrorEnvelope).error.message).toContain(message);
  });

  it("a cursor from another user's listing pages through the caller's own previews only", async () => {
    const bobsFirst = await list(bob, "?limit=1");
    expect(bobsFirst.body.nextCursor).toBeNull();
    const alicesCursor = (await list(alice, "?limit=1")).body.nextCursor ?? "";
    const res = await list(bob, `?cursor=${encodeURIComponent(alicesCursor)}`);
    expect(res.status).toBe(200);
    for (const p of res.body.previews) expect(p.previewInstanceId).toBe(bobsPreview);
    expect(JSON.stringify(res.body)).not.toContain(launched[0]?.previewInstanceId ?? "none");
  });

  it("needs a token", async () => {
    const res = await callApi(o.url, "GET", "/api/previews");
    expect(res.status).toBe(401);
  });
});
