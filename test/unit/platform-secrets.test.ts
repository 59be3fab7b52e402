import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigProvider, Effect, Redacted } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import { localSecretsFile, PlatformSecrets, PlatformSecretsLive, readOrCreateLocalSecrets } from "../../libs/auth/platform-secrets.ts";

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), "secrets-"));
  dirs.push(d);
  return join(d, "data");
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const secretsWith = (config: Record<string, string>) =>
  Effect.runPromise(Effect.gen(function* () { return yield* PlatformSecrets; }).pipe(
    Effect.provide(PlatformSecretsLive),
    Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(config))),
  ));

describe("the platform's secrets", () => {
  it("are created once on first start, readable by the owner only, and the same for every later reader", async () => {
    const dataDir = fresh();
    const first = readOrCreateLocalSecrets(dataDir);
    expect(statSync(localSecretsFile(dataDir)).mode & 0o777).toBe(0o600);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(40);
    expect(first.jwtSecret).not.toBe(first.internalToken);
    // Services of one `npm start` race to create it: all end up with the first one's secrets.
    const racers = Array.from({ length: 5 }, () => readOrCreateLocalSecrets(dataDir));
    for (const r of racers) expect(r).toEqual(first);
    expect(JSON.parse(readFileSync(localSecretsFile(dataDir), "utf8"))).toEqual(first);

    const viaLayer = await secretsWith({ DATA_DIR: dataDir });
    expect(Redacted.value(viaLayer.jwtSecret)).toBe(first.jwtSecret);
    expect(String(viaLayer.jwtSecret)).not.toContain(first.jwtSecret); // redacted when printed
  });

  it("come from config when given (production), without touching DATA_DIR", async () => {
    const dataDir = fresh();
    const secrets = await secretsWith({ DATA_DIR: dataDir, JWT_SECRET: "configured-jwt", INTERNAL_TOKEN: "configured-internal" });
    expect(Redacted.value(secrets.jwtSecret)).toBe("configured-jwt");
    expect(Redacted.value(secrets.internalToken)).toBe("configured-internal");
    expect(() => statSync(dataDir)).toThrow();
  });

  it("take a configured JWT secret beside a local internal token", async () => {
    const dataDir = fresh();
    const secrets = await secretsWith({ DATA_DIR: dataDir, JWT_SECRET: "configured-jwt" });
    expect(Redacted.value(secrets.jwtSecret)).toBe("configured-jwt");
    expect(Redacted.value(secrets.internalToken)).toBe(readOrCreateLocalSecrets(dataDir).internalToken);
  });
});
