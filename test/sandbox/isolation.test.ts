import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { lookup } from "node:dns/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localSecretsFile } from "../../libs/auth/platform-secrets.ts";
import { callApi, eventually } from "../support/api.ts";
import { previewPath } from "../support/previews.ts";
import { portAccepts } from "../support/processes.ts";
import { startTestPlatform, type TestPlatform } from "../support/test-gateway.ts";
import { isolationProbeApp, neighbourApp } from "./fixtures.ts";
import { requireImage, runPreviewOnPool, sandboxSettings } from "./support.ts";

const maxProcesses = 48;
const memoryMb = 256;

// The same tests for a cold launch and for a warm one (a slot of the pool): same isolation.
describe.each([{ launch: "cold", pool: 0 }, { launch: "warm", pool: 2 }])("a $launch launch", (matrix) => {
  // One platform, three previews: the probe, a neighbour it tries to reach, and one that eats memory.
  let platform: TestPlatform;
  /** Every preview of this platform is launched warm (a pool slot) or cold, and the test proves which. */
  const launchPreview = (userId: string, files: Record<string, string>) => runPreviewOnPool(platform, matrix.pool, userId, files);
  let probe: Awaited<ReturnType<TestPlatform["runPreview"]>>;
  let neighbour: Awaited<ReturnType<TestPlatform["runPreview"]>>;
  let orchestratorPort: number;
  let gatewayPort: number;
  beforeAll(async () => {
    requireImage();
    platform = await startTestPlatform({}, sandboxSettings({ MAX_PROCESSES: String(maxProcesses), MEMORY_MB: String(memoryMb), WARM_POOL_SIZE: String(matrix.pool) }));
    orchestratorPort = Number(new URL(platform.orchestrator.url).port);
    gatewayPort = Number(new URL(platform.gateway).port);
    probe = await launchPreview("prober", isolationProbeApp);
    neighbour = await launchPreview("neighbour", neighbourApp);
  });
  afterAll(() => platform?.dispose());

  type Outcome = { ok: true; value: unknown } | { ok: false; error: string };
  const attempt = async <T = Outcome>(path: string, query: Record<string, string | number> = {}): Promise<T> => {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const res = await callApi<T>(platform.gateway, "GET", `/p/${probe.previewId}/attempt/${path}${qs === "" ? "" : `?${qs}`}`, {
      headers: { "x-preview-token": probe.previewToken },
    });
    expect(res.status).toBe(200);
    return res.body;
  };
  const workDirOf = (previewId: string) =>
    platform.orchestrator.query<{ work_dir: string }>("select work_dir from previews where id = ?", previewId)[0]?.work_dir ?? "";

  /** The platform is unharmed: both services answer, and both previews still serve. */
  const platformUnharmed = async () => {
    expect((await fetch(`${platform.orchestrator.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${platform.gateway}/healthz`)).status).toBe(200);
    expect((await callApi(platform.gateway, "GET", `/p/${probe.previewId}/ok`, { headers: { "x-preview-token": probe.previewToken } })).body).toEqual({ ok: true });
    expect((await callApi(platform.gateway, "GET", `/p/${neighbour.previewId}/`, { headers: { "x-preview-token": neighbour.previewToken } })).body).toEqual({ neighbour: true });
  };

  describe("a sandboxed preview cannot reach the network", () => {
    it("cannot connect to the orchestrator's or the gateway's port (which the host reaches)", async () => {
      expect(await portAccepts(orchestratorPort)).toBe(true);
      expect(await portAccepts(gatewayPort)).toBe(true);
      for (const port of [orchestratorPort, gatewayPort]) {
        const result = await attempt("connect", { host: "127.0.0.1", port });
        expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/ConnectionRefusedError/) });
      }
      await platformUnharmed();
    });

    it("cannot connect to an outside address the host can reach, and has no interface but lo", async () => {
      const { address } = await lookup("deb.debian.org", { family: 4 });
      expect(await portAccepts80(address)).toBe(true);
      expect(await attempt("connect", { host: address, port: 80 })).toMatchObject({ ok: false, error: expect.stringMatching(/Network is unreachable|OSError/) });
      expect(await attempt("connect", { host: "deb.debian.org", port: 80 })).toMatchObject({ ok: false, error: expect.stringMatching(/gaierror|Name or service/) });
      expect((await attempt<{ interfaces: string[] }>("identity")).interfaces).toEqual(["lo"]);
    });

    it("cannot connect to the neighbour preview's socket by its host path", async () => {
      const socket = join(workDirOf(neighbour.previewId), ".preview-socket/preview.sock");
      expect(existsSync(socket)).toBe(true);
      expect(await attempt("connect-unix", { path: socket })).toMatchObject({ ok: false, error: expect.stringMatching(/FileNotFoundError/) });
    });
  });

  describe("a sandboxed preview cannot read or write the platform's files", () => {
    it("cannot read the platform's database, its secrets file or the platform's code, though it reads its own files", async () => {
      const dataDir = platform.orchestrator.dataDir;
      if (!existsSync(localSecretsFile(dataDir))) writeFileSync(localSecretsFile(dataDir), JSON.stringify({ jwtSecret: "stand-in" }), { mode: 0o600 });
      const platformFiles = [join(dataDir, "orchestrator.db"), localSecretsFile(dataDir), join(process.cwd(), "package.json")];
      for (const file of platformFiles) {
        expect(readFileSync(file).length).toBeGreaterThan(0);
        expect(await attempt("read", { path: file })).toMatchObject({ ok: false, error: expect.stringMatching(/FileNotFoundError/) });
      }
      expect(await attempt("list", { path: dataDir })).toMatchObject({ ok: false, error: expect.stringMatching(/FileNotFoundError/) });
      expect(await attempt("read", { path: "/tmp/app/main.py" })).toEqual({ ok: true, value: Buffer.byteLength(isolationProbeApp["main.py"] ?? "") });
      // The root-owned files of the image are not readable either: the preview is not root.
      expect(await attempt("list", { path: "/root" })).toMatchObject({ ok: false, error: expect.stringMatching(/PermissionError/) });
      expect(await attempt("read", { path: "/proc/1/environ" })).toMatchObject({ ok: false, error: expect.stringMatching(/PermissionError/) });
    });

    it("cannot read another preview's work dir", async () => {
      const other = workDirOf(neighbour.previewId);
      expect(readFileSync(join(other, "secret.txt"), "utf8")).toBe("the neighbour's data\n");
      expect(await attempt("read", { path: join(other, "secret.txt") })).toMatchObject({ ok: false, error: expect.stringMatching(/FileNotFoundError/) });
      expect(await attempt("list", { path: join(other, "..") })).toMatchObject({ ok: false, error: expect.stringMatching(/FileNotFoundError/) });
      expect(await attempt("list", { path: "/tmp" })).toMatchObject({ ok: true, value: expect.arrayContaining(["app"]) });
    });

    it("cannot write outside its work dir; its /tmp is private", async () => {
      for (const path of ["/etc/escaped", "/usr/lib/escaped", "/escaped", join(platform.orchestrator.dataDir, "escaped")]) {
        expect(await attempt("write", { path })).toMatchObject({ ok: false, error: expect.stringMatching(/OSError|PermissionError|FileNotFoundError/) });
        expect(existsSync(path)).toBe(false);
      }
      const marker = `/tmp/sandbox-private-${probe.previewId}`;
      expect(await attempt("write", { path: marker })).toEqual({ ok: true, value: marker });
      expect(existsSync(marker)).toBe(false);
      expect(await attempt("write", { path: "/tmp/app/written.txt" })).toEqual({ ok: true, value: "/tmp/app/written.txt" });
      expect(readFileSync(join(workDirOf(probe.previewId), "written.txt"), "utf8")).toBe("written from inside the preview");
    });
  });

  describe("a sandboxed preview has nothing of the platform's process", () => {
    it("sees only its own variables", async () => {
      const env = await attempt<Record<string, string>>("env");
      // PWD is bwrap's, for the directory it starts the preview in.
      expect(Object.keys(env).sort()).toEqual(["DATABASE_URL", "HOME", "LANG", "PATH", "PWD", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"]);
      expect(env).toMatchObject({ HOME: "/tmp/app", PWD: "/tmp/app", PATH: "/usr/bin:/bin", DATABASE_URL: "sqlite:///./.preview.db" });
      expect(JSON.stringify(env)).not.toContain(platform.orchestrator.dataDir);
    });

    it("does not run as root, has no capabilities, cannot become root, and sees only its own processes", async () => {
      const id = await attempt<{ uid: number; euid: number; gid: number; groups: number[]; capEff: string; noNewPrivs: string; setuid0: Outcome; pids: number[]; hostname: string }>("identity");
      expect(id.uid).toBeGreaterThanOrEqual(200_000);
      expect(id).toMatchObject({ euid: id.uid, gid: id.uid, groups: [], capEff: "0000000000000000", noNewPrivs: "1", hostname: "preview" });
      expect(id.setuid0).toMatchObject({ ok: false, error: expect.stringMatching(/PermissionError/) });
      expect(id.pids).toEqual([1, 2]);
    });

    it("cannot fork without bound: the process limit stops it, and everything keeps serving", async () => {
      const result = await attempt<{ forked: number; error: string | null }>("fork");
      expect(result.error).toMatch(/BlockingIOError|Resource temporarily unavailable/);
      expect(result.forked).toBeLessThan(maxProcesses);
      await platformUnharmed();
    });

    it("cannot allocate memory without bound: it is stopped and reported crashed with the reason, the orchestrator keeps serving", async () => {
      const hog = await launchPreview("hog", isolationProbeApp);
      const res = await fetch(`${platform.gateway}/p/${hog.previewId}/attempt/memory`, { headers: { "x-preview-token": hog.previewToken } });
      expect(res.status).toBe(502);
      const status = await eventually(async () => {
        const s = await callApi(platform.gateway, "GET", `${previewPath(hog.generationId)}/status`, { token: hog.token });
        return s.body.status === "running" ? undefined : s.body;
      }, 20_000, "the hog to end");
      expect(status.status).toBe("crashed");
      expect(status.errorMessage).toMatch(new RegExp(`The preview was stopped: its processes used \\d+ MB of memory, over the ${memoryMb} MB limit`));
      expect(status.exitCode).toBe(137);
      await platformUnharmed();
    });
  });
});

const portAccepts80 = (host: string) =>
  new Promise<boolean>((resolve) => {
    void import("node:net").then(({ connect }) => {
      const socket = connect({ host, port: 80 });
      socket.setTimeout(5000, () => { socket.destroy(); resolve(false); });
      socket.once("connect", () => { socket.destroy(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
  });
