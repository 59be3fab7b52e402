import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";

let o: TestOrchestrator;
beforeAll(async () => {
  o = await startTestOrchestrator({ MAX_GENERATIONS_PER_USER: "3", MAX_GENERATION_BYTES_PER_USER: "1000" });
});
afterAll(() => o.dispose());

const upload = async (userId: string, bytes: number) =>
  callApi<ErrorEnvelope & { generationId?: string }>(o.url, "POST", "/api/generations", {
    token: await o.token(userId),
    json: { files: { "main.py": "#".repeat(bytes) } },
  });
const storedDirs = () => readdirSync(join(o.dataDir, "generations")).length;

describe("the per-user quota on stored generations", () => {
  it("refuses an upload that would pass the user's byte quota, saying so, stores nothing, and leaves other users alone", async () => {
    expect((await upload("alice", 600)).status).toBe(201);
    const before = storedDirs();
    const refused = await upload("alice", 500);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("generation_quota_exceeded");
    expect(refused.body.error.message).toBe("This upload (500 bytes) would take your stored generations to 1100 bytes, over your 1000 byte quota; it was not stored");
    expect(refused.body.error.details).toEqual({ quota: "bytes", used: 600, adding: 500, max: 1000 });
    expect(storedDirs()).toBe(before);
    expect((await upload("bob", 900)).status).toBe(201);
    expect((await upload("alice", 400)).status).toBe(201); // exactly at the quota is allowed
  });

  it("refuses the upload past the user's generation count, also when uploads race", async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => upload("carol", 10)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.body.error.message).toBe("You already store 3 generations, the most allowed (3); this upload was not stored");
    }
    expect(o.query<{ n: number }>("select count(*) as n from generations where user_id = 'carol'")).toEqual([{ n: 3 }]);
  });
});
