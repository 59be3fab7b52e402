import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { helloApp } from "../support/fixture-apps.ts";
import { originFetch } from "../support/preview-origin.ts";
import { previewPath, upload } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";
import { bookshelfProject } from "./fixtures.ts";
import { imagesDir, requireImage } from "./support.ts";

// One platform for the file, on `auto`: with bwrap and the image there, auto must pick the sandbox.
let platform: TestPlatform;
let preview: Awaited<ReturnType<TestPlatform["runPreview"]>>;
beforeAll(async () => {
  requireImage();
  platform = await startTestPlatform({}, { RUNTIME: "auto", RUNTIME_IMAGE_DIR: imagesDir, RUNTIME_AUTO_BUILD: "false" });
  preview = await platform.runPreview("bookshelf-owner", bookshelfProject);
});
afterAll(() => platform?.dispose());

const api = (method: string, path: string, json?: unknown) =>
  callApi<Record<string, unknown> & Array<Record<string, unknown>>>(platform.gateway, method, `/p/${preview.previewId}/api/v1${path}`, {
    headers: { "x-preview-token": preview.previewToken },
    ...(json === undefined ? {} : { json }),
  });

describe("a codebegen-style project (pydantic 2, pydantic-settings, async SQLAlchemy) in the sandbox", () => {
  it("runs on the sandbox runtime, which /config reports, listening on a socket in its work dir", async () => {
    const config = await callApi(platform.gateway, "GET", `${previewPath(preview.generationId)}/config`, { token: preview.token });
    expect(config.body.runtime).toBe("sandbox");
    const [row] = platform.orchestrator.query<{ runtime: string; port: number | null; socket_path: string | null; work_dir: string }>(
      "select runtime, port, socket_path, work_dir from previews where id = ?", preview.previewId,
    );
    expect(row).toMatchObject({ runtime: "sandbox", port: null, socket_path: join(row?.work_dir ?? "", ".preview-socket/preview.sock") });
    const lines = platform.orchestrator.logs(preview.previewId).map((l) => l.message);
    expect(lines).toContainEqual(expect.stringMatching(/^launching main:app on the sandbox runtime/));
    // Everything in requirements.txt is in the image: nothing to install, the missing uvicorn extras are said.
    expect(lines).toContainEqual(expect.stringMatching(/^requirements.txt: 7 satisfied by the image \(.*fastapi>=0.110 → 0.115/));
    expect(lines.some((l) => l.startsWith("requirements.txt: installing"))).toBe(false);
    expect(lines).toContainEqual(expect.stringMatching(/^requirements.txt: uvicorn\[standard\]>=0.29: the extras' optional packages .*httptools/));
  });

  it("creates its tables on startup in the per-preview SQLite file (async driver) inside its work dir", async () => {
    const health = await callApi(platform.gateway, "GET", `/p/${preview.previewId}/health`, { headers: { "x-preview-token": preview.previewToken } });
    expect(health.body).toEqual({ status: "ok", database: "sqlite+aiosqlite:///./.preview.db" });
    const [row] = platform.orchestrator.query<{ work_dir: string }>("select work_dir from previews where id = ?", preview.previewId);
    expect(existsSync(join(row?.work_dir ?? "", ".preview.db"))).toBe(true);
  });

  it("serves its CRUD endpoints end to end through the gateway", async () => {
    const author = await api("POST", "/authors/", { name: "Ursula", email: "ursula@example.org" });
    expect(author.status).toBe(201);
    expect(author.body).toEqual({ id: 1, name: "Ursula", email: "ursula@example.org" });
    expect((await api("POST", "/authors/", { name: "X", email: "not-an-email" })).status).toBe(422);

    const created = await api("POST", "/books/", { title: "The Dispossessed", year: 1974, author_id: 1 });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 1, title: "The Dispossessed", year: 1974, author_id: 1 });
    expect((await api("POST", "/books/", { title: "Orphan", author_id: 99 })).status).toBe(400);
    expect((await api("POST", "/books/", { title: "Lathe", author_id: 1 })).status).toBe(201);

    const list = await api("GET", "/books/?limit=10");
    expect(list.status).toBe(200);
    expect((list.body as unknown as Array<{ title: string }>).map((b) => b.title)).toEqual(["The Dispossessed", "Lathe"]);
    expect((await api("GET", "/books/?skip=1")).body).toHaveLength(1);

    const patched = await api("PATCH", "/books/2", { year: 1971 });
    expect(patched.body).toEqual({ id: 2, title: "Lathe", year: 1971, author_id: 1 });
    expect((await api("GET", "/books/2")).body).toMatchObject({ year: 1971 });

    expect((await api("DELETE", "/books/1")).status).toBe(204);
    const gone = await api("GET", "/books/1");
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ detail: "Book not found" });
    expect((await api("GET", "/authors/1")).body).toEqual({ id: 1, name: "Ursula", email: "ursula@example.org" });
  });

  it("serves its own docs and live OpenAPI through the gateway, under /p/{id} and on its own origin", async () => {
    const headers = { "x-preview-token": preview.previewToken };
    const openapi = await callApi<{ paths: Record<string, unknown> }>(platform.gateway, "GET", `/p/${preview.previewId}/openapi.json`, { headers });
    expect(Object.keys(openapi.body.paths).sort()).toEqual([
      "/api/v1/authors/", "/api/v1/authors/{author_id}", "/api/v1/books/", "/api/v1/books/{book_id}", "/health",
    ]);
    const docs = await originFetch(`${preview.origin}/docs`, { headers });
    expect(await docs.text()).toContain("url: '/openapi.json'");
  });

  it("stops cleanly: the socket and the work dir are gone, the status is stopped", async () => {
    const [row] = platform.orchestrator.query<{ work_dir: string }>("select work_dir from previews where id = ?", preview.previewId);
    const res = await callApi(platform.gateway, "DELETE", previewPath(preview.generationId), { token: preview.token });
    expect(res.status).toBe(200);
    expect(existsSync(row?.work_dir ?? "/")).toBe(false);
    const status = await callApi(platform.gateway, "GET", `${previewPath(preview.generationId)}/status`, { token: preview.token });
    expect(status.body.status).toBe("stopped");
    expect(platform.orchestrator.logs(preview.previewId).map((l) => l.message)).toContainEqual(expect.stringContaining("Shutting down"));
  });
});

/**
 * A test orchestrator with `settings` and an empty images dir of its own, a user and an uploaded
 * hello project; the orchestrator and the dir are removed afterwards, whatever happened.
 */
const withoutImages = async (
  settings: Record<string, string>,
  body: (ctx: { readonly o: TestOrchestrator; readonly token: string; readonly generationId: string; readonly imagesDir: string }) => Promise<void>,
): Promise<void> => {
  const empty = mkdtempSync(join(tmpdir(), "no-images-"));
  try {
    const o = await startTestOrchestrator({ ...settings, RUNTIME_IMAGE_DIR: empty });
    try {
      const token = await o.token("u");
      const generationId = await upload(o, token, helloApp);
      await body({ o, token, generationId, imagesDir: empty });
    } finally {
      await o.dispose();
    }
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
};

describe("runtime selection", () => {
  it("auto falls back to the host runtime where there is no image", () =>
    withoutImages({ RUNTIME: "auto" }, async ({ o, token, generationId }) => {
      expect((await callApi(o.url, "GET", `${previewPath(generationId)}/config`, { token })).body.runtime).toBe("host");
    }));

  it("sandbox without an image and without auto-build fails the launch saying how to build it", () =>
    withoutImages({ RUNTIME: "sandbox", RUNTIME_AUTO_BUILD: "false" }, async ({ o, token, generationId }) => {
      expect((await callApi(o.url, "GET", `${previewPath(generationId)}/config`, { token })).body.runtime).toBe("sandbox");
      const launched = await callApi<{ error: { message: string } }>(o.url, "POST", `${previewPath(generationId)}/launch`, { token, json: { wait: true } });
      expect(launched.body.error.message).toMatch(/sandbox image is not built .*npm run runtime:build/);
    }));

  it("a first launch that must build the image without a reachable mirror fails with what to do, and leaves no half image", () =>
    withoutImages({ RUNTIME: "sandbox", RUNTIME_MIRROR: "http://127.0.0.1:9/debian" }, async ({ o, token, generationId, imagesDir: empty }) => {
      const launched = await callApi<{ error: { message: string }; previewInstanceId: string }>(o.url, "POST", `${previewPath(generationId)}/launch`, { token, json: {} });
      const status = await eventually(async () => {
        const s = await callApi(o.url, "GET", `${previewPath(generationId)}/status`, { token });
        return s.body.status !== "launching" ? s.body : undefined;
      }, 50_000, "the launch to end");
      expect(status.status).toBe("failed");
      expect(status.errorMessage).toMatch(/Debian mirror http:\/\/127.0.0.1:9\/debian cannot be reached .*ORCHESTRATOR_RUNTIME_MIRROR/);
      expect(o.logs(launched.body.previewInstanceId).map((l) => l.message)).toContainEqual(expect.stringContaining("cannot be reached"));
      expect(readdirSync(empty)).toEqual([]);
    }));
});
