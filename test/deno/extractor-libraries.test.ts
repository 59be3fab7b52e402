// The extractor service under Deno, with the permissions scripts/deno-service.sh grants it:
// its extraction workers start, and it reads the library dirs under its roots (and nothing else).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import getPort from "get-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, eventually } from "../support/api.ts";
import { fixtureDir } from "../extractor/helpers.ts";

const fixture = fixtureDir("library_routers");
const token = "deno-extractor-internal-token-0123456789";
const dataDir = mkdtempSync(join(tmpdir(), "deno-extractor-"));
let url: string;
let child: ReturnType<typeof spawn>;
beforeAll(async () => {
  const port = await getPort();
  url = `http://127.0.0.1:${port}`;
  child = spawn("sh", ["scripts/deno-service.sh", "extractor"], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, JWT_SECRET: "deno-extractor-jwt-secret-0123456789abcdef", INTERNAL_TOKEN: token, EXTRACTOR_PORT: String(port), EXTRACTOR_LIBRARY_ROOTS: fixture, NO_COLOR: "1" },
    stdio: "ignore",
    detached: true,
  });
  await eventually(() => fetch(`${url}/healthz`).then((r) => r.ok || undefined, () => undefined), 60_000, "the Deno extractor to listen");
});
afterAll(async () => {
  if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
  await eventually(() => fetch(`${url}/healthz`).then(() => undefined, () => true), 20_000, "the Deno extractor to stop");
  rmSync(dataDir, { recursive: true, force: true });
});

const extract = (libraries: ReadonlyArray<string>) =>
  callApi<{ endpoints?: Array<{ path: string; source: { file: string } }>; error?: { message: string } }>(url, "POST", "/internal/extract", {
    headers: { "x-internal-token": token },
    json: { files: { "main.py": readFileSync(join(fixture, "project", "main.py"), "utf8") }, libraries },
  });

describe("the extractor service under Deno", () => {
  it("extracts in its workers and follows imports into a library dir under its roots", async () => {
    const res = await extract([join(fixture, "site-packages")]);
    expect(res.status).toBe(200);
    expect(res.body.endpoints?.find((e) => e.path === "/auth/jwt/login")?.source.file).toBe("site-packages/auth_kit/router/auth.py");
  });

  it("answers the next extractions too, from its warm worker, each with its own result", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await extract([join(fixture, "site-packages")]);
      expect(res.status).toBe(200);
      expect(res.body.endpoints?.find((e) => e.path === "/auth/jwt/login")?.source.file).toBe("site-packages/auth_kit/router/auth.py");
      const bare = await extract([]);
      expect(bare.status).toBe(200);
      expect(bare.body.endpoints?.some((e) => e.path === "/auth/jwt/login")).toBe(false);
    }
  });

  it("refuses a dir outside its roots with a 400 naming it", async () => {
    const res = await extract(["/usr/share"]);
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toContain('"/usr/share"');
  });
});
