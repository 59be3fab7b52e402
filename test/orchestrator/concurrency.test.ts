import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { launch, previewPath, upload, waitForStatus } from "../support/previews.ts";
import { pidsOfPreview } from "../support/processes.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";

let o: TestOrchestrator;
beforeAll(async () => {
  o = await startTestOrchestrator({ MAX_INSTANCES_PER_USER: "2" });
});
afterAll(() => o.dispose());

const codes = (responses: ReadonlyArray<{ status: number; body: unknown }>) =>
  responses.filter((r) => r.status === 409).map((r) => (r.body as ErrorEnvelope).error.code);

describe("launch admission under a race", () => {
  it("20 concurrent launches of one generation: exactly one wins, the rest get 409, one process runs", async () => {
    const token = await o.token("racer");
    const generationId = await upload(o, token, helloApp);
    const responses = await Promise.all(Array.from({ length: 20 }, () => launch(o, token, generationId)));
    const winners = responses.filter((r) => r.status === 202);
    expect(winners).toHaveLength(1);
    expect(codes(responses)).toEqual(Array(19).fill("preview_already_running"));
    const previewId = winners[0]?.body.previewInstanceId as string;
    await waitForStatus(o, token, generationId, "running");
    expect(o.query("select id from previews where generation_id = ?", generationId)).toHaveLength(1);
    expect(pidsOfPreview(o.dataDir, previewId)).toHaveLength(1);
    await callApi(o.url, "DELETE", previewPath(generationId), { token });
  });

  it("the per-user limit holds under the same race: 20 generations launched at once, 2 run", async () => {
    const token = await o.token("greedy");
    const generationIds = await Promise.all(Array.from({ length: 20 }, () => upload(o, token, helloApp)));
    const responses = await Promise.all(generationIds.map((g) => launch(o, token, g)));
    expect(responses.filter((r) => r.status === 202)).toHaveLength(2);
    expect(codes(responses)).toEqual(Array(18).fill("preview_limit_reached"));
    const live = o.query<{ n: number }>("select count(*) as n from previews where user_id = 'greedy' and status in ('launching', 'running')");
    expect(live[0]?.n).toBe(2);
    // Another user is not affected by greedy's limit.
    const other = await o.token("other");
    expect((await launch(o, other, await upload(o, other, helloApp))).status).toBe(202);
    await Promise.all(generationIds.map((g) => callApi(o.url, "DELETE", previewPath(g), { token })));
  });
});
