import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { callApi, eventually } from "../support/api.ts";
import { previewPath, previewRow } from "../support/previews.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";
import { requireImage, sandboxSettings, warmPoolFull } from "./support.ts";

const lines = (...l: string[]) => `${l.join("\n")}\n`;
/** An app that says its version, keeps a note in its dir, and (from v2 on) has one more route. */
const versioned = (version: number, extraRoute = false): Record<string, string> => ({
  "main.py": lines(
    "import asyncio, os",
    "from fastapi import FastAPI",
    "from helpers import VERSION",
    "app = FastAPI()",
    "",
    "@app.get('/version')",
    "def version():",
    "    return {'version': VERSION, 'pid': os.getpid()}",
    "",
    "@app.post('/note')",
    "def note():",
    "    open('note.txt', 'w').write('kept across reloads')",
    "    return {'ok': True}",
    "",
    "@app.get('/note')",
    "def read_note():",
    "    return {'note': open('note.txt').read() if os.path.exists('note.txt') else None}",
    "",
    "# Answers once a file of that name appears in its dir (the test writes it from the host).",
    "@app.get('/hold/{name}')",
    "async def hold(name: str):",
    "    print(f'holding {name}', flush=True)",
    "    for _ in range(600):",
    "        if os.path.exists(name):",
    "            return {'version': VERSION, 'held': name}",
    "        await asyncio.sleep(0.05)",
    "    return {'version': VERSION, 'held': None}",
    ...(extraRoute ? ["", "@app.get('/added-in-v2')", "def added():", "    return {'added': True}"] : []),
  ),
  "helpers.py": `VERSION = ${version}\n`,
});

type Preview = Awaited<ReturnType<TestPlatform["runPreview"]>>;

describe.each([{ launch: "cold", pool: 0 }, { launch: "warm", pool: 1 }])("live reload, $launch", (matrix) => {
  let platform: TestPlatform;
  let p: Preview;
  beforeAll(async () => {
    requireImage();
    // A long grace: a replaced version holding a request must still be there when the reload answers.
    platform = await startTestPlatform({}, sandboxSettings({ WARM_POOL_SIZE: String(matrix.pool), STOP_GRACE_MS: "20000" }));
  });
  afterAll(() => platform?.dispose());

  const viaGateway = <T = Record<string, unknown>>(method: string, path: string) =>
    callApi<T>(platform.gateway, method, `/p/${p.previewId}${path}`, { headers: { "x-preview-token": p.previewToken } });
  const reload = (body: unknown) => callApi(platform.gateway, "POST", `${previewPath(p.generationId)}/reload`, { token: p.token, json: body });
  const poolReady = async () => {
    if (matrix.pool > 0) await warmPoolFull(platform.gateway, p.token, p.generationId);
  };
  const systemLines = () => platform.orchestrator.logs(p.previewId).filter((l) => l.source === "system").map((l) => l.message);

  it("switches the running preview to the new files in place: same id, URL and token, the log goes on, the endpoints refresh, its data is kept", async () => {
    p = await platform.runPreview(`reload-${matrix.launch}`, versioned(1));
    const before = await viaGateway<{ version: number; pid: number }>("GET", "/version");
    expect(before.body.version).toBe(1);
    expect((await viaGateway("POST", "/note")).status).toBe(200);
    const endpointsBefore = await callApi<{ endpoints: Array<{ path: string }> }>(platform.gateway, "GET", `${previewPath(p.generationId)}/endpoints`, { token: p.token });
    expect(endpointsBefore.body.endpoints.map((e) => e.path)).not.toContain("/added-in-v2");
    const linesBefore = platform.orchestrator.logs(p.previewId).length;
    const pidBefore = previewRow(platform.orchestrator, p.previewId).pid;
    await poolReady();

    const res = await reload({ files: versioned(2, true) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ previewInstanceId: p.previewId, status: "running", changedFiles: ["helpers.py", "main.py"], reloadMs: expect.any(Number) });

    // The same URL and token reach the new version at once; the old process is gone.
    const after = await viaGateway<{ version: number; pid: number }>("GET", "/version");
    expect(after.body.version).toBe(2);
    expect((await viaGateway("GET", "/added-in-v2")).body).toEqual({ added: true });
    expect((await viaGateway("GET", "/note")).body).toEqual({ note: "kept across reloads" });
    const status = await callApi(platform.gateway, "GET", `${previewPath(p.generationId)}/status`, { token: p.token });
    expect(status.body).toMatchObject({ previewInstanceId: p.previewId, status: "running" });
    const row = previewRow(platform.orchestrator, p.previewId);
    expect(row.pid).not.toBe(pidBefore);
    expect(existsSync(`/proc/${row.pid}`)).toBe(true);
    // The old version is retired after the answer, in the background.
    await eventually(() => (existsSync(`/proc/${pidBefore}`) ? undefined : true), 30_000, "the replaced version to end");

    // The log goes on, in the same preview's stream, with the reload's system line.
    const said = systemLines();
    expect(platform.orchestrator.logs(p.previewId).length).toBeGreaterThan(linesBefore);
    expect(said).toContainEqual(expect.stringMatching(/^reloaded in \d+ ms: 2 files changed$/));
    if (matrix.pool > 0) expect(said.filter((l) => l.startsWith("warm start:")).length).toBeGreaterThanOrEqual(1);

    const endpointsAfter = await callApi<{ source: string; endpoints: Array<{ path: string }> }>(platform.gateway, "GET", `${previewPath(p.generationId)}/endpoints`, { token: p.token });
    expect(endpointsAfter.body.source).toBe("live");
    expect(endpointsAfter.body.endpoints.map((e) => e.path)).toContain("/added-in-v2");
  });

  it("answers as soon as the new version serves; the old one finishes the request it holds, then ends", async () => {
    const servingDir = previewRow(platform.orchestrator, p.previewId).work_dir;
    const pidBefore = previewRow(platform.orchestrator, p.previewId).pid;
    const name = `release-${matrix.launch}`;
    let heldAnswered = false;
    const held = viaGateway<{ version: number; held: string | null }>("GET", `/hold/${name}`).finally(() => { heldAnswered = true; });
    await eventually(() => platform.orchestrator.logs(p.previewId).some((l) => l.message === `holding ${name}`) || undefined, 30_000, "the old version to hold the request");
    await poolReady();
    const res = await reload({ changes: { "helpers.py": "VERSION = 22\n" } });
    expect(res.status).toBe(200);
    // The old version still holds its request (it is released only below), yet the reload answered and the new one serves.
    expect(heldAnswered).toBe(false);
    expect(existsSync(`/proc/${pidBefore}`)).toBe(true);
    expect((await viaGateway<{ version: number }>("GET", "/version")).body.version).toBe(22);
    writeFileSync(join(servingDir, name), "");
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ version: 2, held: name });
    await eventually(() => (existsSync(`/proc/${pidBefore}`) ? undefined : true), 30_000, "the replaced version to end once its request was answered");
  });

  it("takes a change set: one file changed, one added, one deleted", async () => {
    await poolReady();
    const res = await reload({ changes: { "helpers.py": "VERSION = 3\n", "extra.py": "X = 1\n" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changedFiles: ["extra.py", "helpers.py"] });
    expect((await viaGateway<{ version: number }>("GET", "/version")).body.version).toBe(3);
    await poolReady();
    const removed = await reload({ changes: { "extra.py": null } });
    expect(removed.body).toMatchObject({ changedFiles: ["extra.py"] });
    expect(systemLines()).toContainEqual(expect.stringMatching(/^reloaded in \d+ ms: 1 file changed$/));
  });

  it("keeps the previous version serving when the new one does not import, and answers with the diagnosis", async () => {
    await poolReady();
    const generationBefore = await callApi(platform.gateway, "GET", `/api/generations/${p.generationId}`, { token: p.token });
    const res = await reload({ changes: { "helpers.py": "VERSION = (\n" } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: "reload_failed", details: { previewInstanceId: p.previewId, failure: { kind: "syntax_error", file: "helpers.py" } } } });
    expect((await viaGateway<{ version: number }>("GET", "/version")).body.version).toBe(3);
    expect(systemLines()).toContainEqual(expect.stringMatching(/^reload failed, the previous version still serves: /));
    // The generation keeps the version that runs.
    expect((await callApi(platform.gateway, "GET", `/api/generations/${p.generationId}`, { token: p.token })).body).toEqual(generationBefore.body);
    const status = await callApi(platform.gateway, "GET", `${previewPath(p.generationId)}/status`, { token: p.token });
    expect(status.body).toMatchObject({ previewInstanceId: p.previewId, status: "running" });
  });

  it("refuses a bad file set like an upload, and a reload of a preview that is not running", async () => {
    const bad = await reload({ files: { "../escape.py": "x = 1\n" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("..");
    const both = await reload({ files: versioned(4), changes: {} });
    expect(both.status).toBe(400);
    const other = await callApi(platform.gateway, "POST", `${previewPath(p.generationId)}/reload`, { token: await platform.orchestrator.token("someone-else"), json: { files: versioned(5) } });
    expect(other.status).toBe(404);
    expect((await callApi(platform.gateway, "DELETE", previewPath(p.generationId), { token: p.token })).status).toBe(200);
    // Every version's dir went with the preview.
    const previewsRoot = join(platform.orchestrator.dataDir, "previews");
    expect(readdirSync(previewsRoot).filter((name) => name.startsWith(p.previewId))).toEqual([]);
    const stopped = await reload({ files: versioned(6) });
    expect(stopped.status).toBe(409);
    expect(stopped.body).toMatchObject({ error: { code: "preview_not_running" } });
  });
});
