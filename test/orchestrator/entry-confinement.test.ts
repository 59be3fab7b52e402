import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErrorEnvelope } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { launch, upload } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";

let orchestrator: TestOrchestrator;
let token: string;
let generationId: string;
beforeAll(async () => {
  orchestrator = await startTestOrchestrator();
  token = await orchestrator.token("alice");
  generationId = await upload(orchestrator, token, helloApp);
});
afterAll(() => orchestrator.dispose());

const up = "../".repeat(24);
// A file that exists on this host (Debian's FastAPI) and one beside it that does not.
const existing = "usr/lib/python3/dist-packages/fastapi/applications.py";
const missing = "usr/lib/python3/dist-packages/fastapi/no_such_module.py";

const refusal = async (entry: string) => {
  const res = await launch(orchestrator, token, generationId, { entry });
  expect(res.status).toBe(400);
  const { error } = res.body as unknown as ErrorEnvelope;
  return { message: error.message.replace(JSON.stringify(entry), "<entry>"), details: { ...error.details, entry: undefined } };
};

describe("launch's `entry` stays inside the project", () => {
  for (const [what, outsideExisting, outsideMissing] of [
    ["a relative path climbing out", up + existing, up + missing],
    ["an absolute path", `/${existing}`, `/${missing}`],
    ["a path through a dot segment", `./../${up}${existing}`, `./../${up}${missing}`],
  ] as const) {
    it(`refuses ${what} with one answer whether or not the file exists (no file-existence oracle)`, async () => {
      const forExisting = await refusal(outsideExisting);
      expect(forExisting.message).toContain("inside the project");
      expect(forExisting.details).toMatchObject({ field: "entry" });
      expect(await refusal(outsideMissing)).toEqual(forExisting);
    });
  }

  it("still takes a file of the project", async () => {
    const res = await launch(orchestrator, token, generationId, { entry: "main.py:app" });
    expect(res.status).toBe(202);
  });
});
