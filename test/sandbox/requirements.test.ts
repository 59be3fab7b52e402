import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi } from "../support/api.ts";
import { launch, upload, waitForStatus } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";
import { requirementsProject } from "./fixtures.ts";
import { buildWheelhouse, requireImage, sandboxSettings } from "./support.ts";

const requirements = "fastapi>=0.100\npydantic<2  # the image has pydantic 2\ntinypkg==0.1.0\n";
// The same requirements, written differently: the normalised hash must match.
const sameRequirementsAgain = "# again\nTinyPkg == 0.1.0\n\nFastAPI >= 0.100\npydantic < 2\n";

let wheelhouse: string;
let platform: TestPlatform;
beforeAll(async () => {
  requireImage();
  wheelhouse = mkdtempSync(join(tmpdir(), "wheelhouse-"));
  // pip runs as the preview's uid: a wheelhouse must be readable by others, as an operator's would be.
  chmodSync(wheelhouse, 0o755);
  buildWheelhouse(wheelhouse, "tinypkg", "0.1.0", "from the wheelhouse");
  platform = await startTestPlatform({}, sandboxSettings({ PIP_INDEX_URL: "off", PIP_FIND_LINKS: wheelhouse }));
});
afterAll(async () => {
  await platform?.dispose();
  rmSync(wheelhouse, { recursive: true, force: true });
});

const venvs = () => readdirSync(join(platform.orchestrator.dataDir, "runtime", "venvs"));
const messages = (previewId: string) => platform.orchestrator.logs(previewId).map((l) => `${l.level} ${l.message}`);

describe("requirements.txt in the sandbox", () => {
  it("installs what the image lacks from the wheelhouse into a virtualenv over the image's packages, and reports the conflicting pin", async () => {
    const p = await platform.runPreview("req-a", requirementsProject(requirements));
    const tiny = await callApi(platform.gateway, "GET", `/p/${p.previewId}/tiny`, { headers: { "x-preview-token": p.previewToken } });
    // tinypkg from the venv; pydantic (and fastapi) still the image's.
    expect(tiny.body).toMatchObject({ value: "from the wheelhouse", version: "0.1.0", pydantic: "2.10.6", from: expect.stringMatching(/^\/tmp\/venv\/lib\/python3.13\/site-packages\/tinypkg/) });
    const lines = messages(p.previewId);
    expect(lines).toContainEqual("INFO requirements.txt: 1 satisfied by the image (fastapi>=0.100 → 0.115.11)");
    expect(lines).toContainEqual("WARN requirements.txt: pydantic<2 conflicts with the image's 2.10.6; the preview runs with 2.10.6");
    expect(lines).toContainEqual("INFO requirements.txt: installing 1 missing into a cached environment: tinypkg==0.1.0");
    expect(lines).toContainEqual(expect.stringMatching(/^INFO pip: Successfully installed tinypkg-0.1.0$/));
    expect(venvs()).toHaveLength(1);
  });

  it("reuses the cached environment for the same requirements, however written", async () => {
    const p = await platform.runPreview("req-b", requirementsProject(sameRequirementsAgain));
    const tiny = await callApi(platform.gateway, "GET", `/p/${p.previewId}/tiny`, { headers: { "x-preview-token": p.previewToken } });
    expect(tiny.body).toMatchObject({ value: "from the wheelhouse" });
    const lines = messages(p.previewId);
    expect(lines).toContainEqual(expect.stringMatching(/^INFO requirements.txt: reusing the cached environment [0-9a-f]{16} \(tinypkg==0.1.0\)$/));
    expect(lines.some((l) => l.includes("installing") || l.startsWith("INFO pip:"))).toBe(false);
    expect(lines).toContainEqual("WARN requirements.txt: pydantic<2 conflicts with the image's 2.10.6; the preview runs with 2.10.6");
    expect(venvs()).toHaveLength(1);
  });

  it("starts without a line that is in neither the index nor the wheelhouse when the code never imports it, saying so in a WARN line", async () => {
    const p = await platform.runPreview("req-c", requirementsProject("tinypkg==0.1.0\nnot-in-wheelhouse==1.0\n"));
    const tiny = await callApi(platform.gateway, "GET", `/p/${p.previewId}/tiny`, { headers: { "x-preview-token": p.previewToken } });
    expect(tiny.body).toMatchObject({ value: "from the wheelhouse" });
    const lines = messages(p.previewId);
    expect(lines).toContainEqual(expect.stringMatching(/^WARN requirements.txt: not-in-wheelhouse==1.0 could not be installed \(not found in the wheelhouse .*\); the preview starts without it$/));
    expect(lines).toContainEqual(expect.stringMatching(/^INFO requirements.txt: installed tinypkg==0.1.0 into the environment [0-9a-f]{16}/));
    // A second environment: different requirements.
    expect(venvs()).toHaveLength(2);
  });
});

describe("requirements.txt offline", () => {
  let o: TestOrchestrator;
  beforeAll(async () => {
    o = await startTestOrchestrator(sandboxSettings({ PIP_INDEX_URL: "http://127.0.0.1:9/simple" }));
  });
  afterAll(() => o?.dispose());

  it("fails as missing_module naming the file, the import and the requirement that could not be installed", async () => {
    const token = await o.token("offline");
    const generationId = await upload(o, token, requirementsProject(requirements));
    expect((await launch(o, token, generationId)).status).toBe(202);
    const status = await waitForStatus(o, token, generationId, "failed");
    expect(status.failure).toMatchObject({
      kind: "missing_module",
      module: "tinypkg",
      file: "main.py",
      line: 1,
      sourceLine: "import pydantic, tinypkg",
      requirement: "tinypkg==0.1.0",
      message: "main.py imports `tinypkg`; `tinypkg==0.1.0` is in requirements.txt but could not be installed: no package index reachable (the index http://127.0.0.1:9/simple)",
    });
    const [row] = o.query<{ id: string }>("select id from previews where generation_id = ?", generationId);
    const lines = o.logs(row?.id ?? "").map((l) => `${l.level} ${l.message}`);
    expect(lines).toContainEqual("WARN requirements.txt: tinypkg==0.1.0 could not be installed (no package index reachable (the index http://127.0.0.1:9/simple)); the preview starts without it");
  });
});
