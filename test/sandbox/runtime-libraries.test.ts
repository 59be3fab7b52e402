// Route 4 with the sandbox runtime reads what the preview would import: the image's own
// dist-packages, and once a launch has built it, the generation's requirements venv.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi } from "../support/api.ts";
import { launch, previewPath, upload } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";
import { buildWheelhouse, requireImage, sandboxSettings } from "./support.ts";

const project = {
  "requirements.txt": "libvalue==0.1.0\n",
  "main.py": [
    "from fastapi import FastAPI",
    "from linkify_it import __version__ as LINKIFY",
    "from libvalue import VALUE",
    "app = FastAPI()",
    "",
    "@app.get('/image/' + LINKIFY)",
    "def image(): return {}",
    "",
    "@app.get('/venv/' + VALUE)",
    "def venv(): return {}",
    "",
  ].join("\n"),
};

let wheelhouse: string;
let o: TestOrchestrator;
beforeAll(async () => {
  requireImage();
  wheelhouse = mkdtempSync(join(tmpdir(), "wheelhouse-"));
  chmodSync(wheelhouse, 0o755);
  buildWheelhouse(wheelhouse, "libvalue", "0.1.0", "from-the-venv");
  o = await startTestOrchestrator(sandboxSettings({ PIP_INDEX_URL: "off", PIP_FIND_LINKS: wheelhouse }));
});
afterAll(async () => {
  await o?.dispose();
  rmSync(wheelhouse, { recursive: true, force: true });
});

interface Catalog {
  readonly source: string;
  readonly endpoints: ReadonlyArray<{ method: string; path: string }>;
}

describe("route 4 in the sandbox", () => {
  it("follows imports into the image's packages before launch, and into the requirements venv once a launch built it", async () => {
    const token = await o.token("libs");
    const generationId = await upload(o, token, project);
    const endpoints = async () => {
      const res = await callApi<Catalog>(o.url, "GET", `/api/generations/${generationId}/endpoints`, { token });
      expect(res.status).toBe(200);
      expect(res.body.source).toBe("static");
      return res.body.endpoints.map((e) => `${e.method} ${e.path}`);
    };
    const before = await endpoints();
    expect(before).toContain("GET /image/2.0.3"); // linkify_it from the image's dist-packages
    expect(before).not.toContain("GET /venv/from-the-venv");

    const launched = await launch(o, token, generationId, { wait: true });
    expect(launched.status).toBe(200);
    expect((await callApi(o.url, "DELETE", previewPath(generationId), { token })).status).toBe(200);

    const after = await endpoints();
    expect(after).toContain("GET /image/2.0.3");
    expect(after).toContain("GET /venv/from-the-venv"); // libvalue from the venv the launch installed
  });
});
