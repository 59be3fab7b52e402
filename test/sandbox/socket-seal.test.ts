import { chownSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sealSocket } from "../../libs/runtime/socket-seal.ts";
import { callApi } from "../support/api.ts";
import { previewPath } from "../support/previews.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";
import { requireImage, runPreviewOnPool, sandboxSettings } from "./support.ts";

const previewUid = 61_234;
const dirs: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An HTTP server on a Unix socket of the host, counting what reaches it: what a hostile preview would aim at. */
const hostSocketServer = async (path: string) => {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ app: "a service of the host" }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { requests: () => requests };
};

/** A preview's socket dir as the boot program leaves it: its own, with uvicorn's socket in it. */
const previewSocketDir = async () => {
  const workDir = mkdtempSync(join(tmpdir(), "seal-"));
  dirs.push(workDir);
  const dir = join(workDir, ".preview-socket");
  mkdirSync(dir);
  const socket = join(dir, "preview.sock");
  await hostSocketServer(socket);
  chownSync(dir, previewUid, previewUid);
  chownSync(socket, previewUid, previewUid);
  return { workDir, dir, socket };
};
const sealing = (socket: string, uid = previewUid) => Effect.runPromise(Effect.result(sealSocket(socket, uid)));

describe("sealing a sandboxed preview's socket", () => {
  it("takes the socket's dir from the preview (root's, 0755) when the socket is its own", async () => {
    const { dir, socket } = await previewSocketDir();
    expect((await sealing(socket))._tag).toBe("Success");
    const sealed = lstatSync(dir);
    expect({ uid: sealed.uid, mode: sealed.mode & 0o7777 }).toEqual({ uid: 0, mode: 0o755 });
    expect(lstatSync(socket).isSocket()).toBe(true);
  });

  it("refuses a socket swapped for a symlink to a socket of the host, naming it", async () => {
    const { dir, socket } = await previewSocketDir();
    const host = join(dir, "..", "host.sock");
    await hostSocketServer(host);
    rmSync(socket);
    symlinkSync(host, socket);
    const result = await sealing(socket);
    expect(result._tag === "Failure" ? result.failure.message : "sealed").toMatch(/could not be sealed.*preview\.sock is not a socket but a symlink/);
  });

  it("refuses a socket dir swapped for a symlink, and a socket of another uid", async () => {
    const swapped = await previewSocketDir();
    renameSync(swapped.dir, `${swapped.dir}.real`);
    symlinkSync(`${swapped.dir}.real`, swapped.dir);
    const dirResult = await sealing(swapped.socket);
    expect(dirResult._tag === "Failure" ? dirResult.failure.message : "sealed").toMatch(/could not be sealed.*ENOTDIR: not a directory/);
    // The dir the symlink pointed at is left as it was: nothing is followed.
    expect(lstatSync(`${swapped.dir}.real`).uid).toBe(previewUid);

    const other = await previewSocketDir();
    const otherResult = await sealing(other.socket, previewUid + 1);
    expect(otherResult._tag === "Failure" ? otherResult.failure.message : "sealed").toMatch(/belongs to uid 61234, not to the preview's 61235/);
  });
});

/** Tries what a hostile app would do to redirect the gateway: move, replace or symlink its socket, or take its dir back. */
const redirectingApp = {
  "main.py": [
    "import os",
    "from fastapi import FastAPI",
    "app = FastAPI()",
    "DIR = '/tmp/app/.preview-socket'",
    "SOCK = DIR + '/preview.sock'",
    "",
    "def attempt(step):",
    "    try:",
    "        step()",
    "        return 'done'",
    "    except OSError as e:",
    "        return type(e).__name__",
    "",
    "@app.post('/redirect')",
    "def redirect(target: str):",
    "    return {",
    "        'rename': attempt(lambda: os.rename(SOCK, SOCK + '.away')),",
    "        'unlink': attempt(lambda: os.unlink(SOCK)),",
    "        'symlink': attempt(lambda: os.symlink(target, SOCK + '.next')),",
    "        'move-dir': attempt(lambda: os.rename(DIR, '/tmp/app/elsewhere')),",
    "        'chmod-dir': attempt(lambda: os.chmod(DIR, 0o777)),",
    "    }",
    "",
    "@app.get('/who')",
    "def who():",
    "    return {'app': 'the preview'}",
    "",
  ].join("\n"),
};

describe.each([{ launch: "cold", pool: 0 }, { launch: "warm", pool: 1 }])("a $launch sandboxed preview cannot redirect the gateway to a socket of the host", (matrix) => {
  let platform: TestPlatform;
  beforeAll(async () => {
    requireImage();
    platform = await startTestPlatform({}, sandboxSettings({ WARM_POOL_SIZE: String(matrix.pool) }));
  });
  afterAll(() => platform?.dispose());

  it("every way to move, replace or take back its socket is refused, and the gateway still reaches the app alone", async () => {
    const hostDir = mkdtempSync(join(tmpdir(), "host-sock-"));
    dirs.push(hostDir);
    const host = await hostSocketServer(join(hostDir, "service.sock"));
    const p = await runPreviewOnPool(platform, matrix.pool, "mallory", redirectingApp);
    const asPreview = { headers: { "x-preview-token": p.previewToken } };

    const tried = await callApi(platform.gateway, "POST", `/p/${p.previewId}/redirect?target=${encodeURIComponent(join(hostDir, "service.sock"))}`, asPreview);
    expect(tried.status).toBe(200);
    // The dir is a mount point in the sandbox (EBUSY: a plain OSError), and root's since the preview answered.
    expect(tried.body).toEqual({ rename: "PermissionError", unlink: "PermissionError", symlink: "PermissionError", "move-dir": "OSError", "chmod-dir": "PermissionError" });
    for (let i = 0; i < 3; i++) {
      const who = await callApi(platform.gateway, "GET", `/p/${p.previewId}/who`, asPreview);
      expect(who.body).toEqual({ app: "the preview" });
    }
    expect(host.requests()).toBe(0);
    expect((await callApi(platform.gateway, "DELETE", previewPath(p.generationId), { token: p.token })).status).toBe(200);
  });
});
