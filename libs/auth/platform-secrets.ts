import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Context, Effect, Layer, type ManagedRuntime, Option, Redacted } from "effect";
import { platformConfig } from "../config/platform.ts";

export interface Secrets {
  readonly jwtSecret: Redacted.Redacted<string>;
  readonly internalToken: Redacted.Redacted<string>;
}

/** The platform's own secrets: never logged, never passed to a preview. */
export class PlatformSecrets extends Context.Service<PlatformSecrets, Secrets>()("platform/PlatformSecrets") {}

interface StoredSecrets {
  readonly jwtSecret: string;
  readonly internalToken: string;
}

export const localSecretsFile = (dataDir: string) => join(dataDir, "secrets.json");

/**
 * Reads the local secrets file, creating it on first start with mode 0600. Services of one
 * `npm start` start at once, so creation is a link of a finished temp file: exactly one
 * creator wins and nobody reads a half-written file.
 */
export const readOrCreateLocalSecrets = (dataDir: string): StoredSecrets => {
  const file = localSecretsFile(dataDir);
  // Reading needs no write permission: a service without it (the gateway under Deno) can still start.
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as StoredSecrets;
  mkdirSync(dataDir, { recursive: true });
  const fresh: StoredSecrets = {
    jwtSecret: randomBytes(32).toString("base64url"),
    internalToken: randomBytes(32).toString("base64url"),
  };
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temp, JSON.stringify(fresh), { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  } finally {
    rmSync(temp, { force: true });
  }
  return JSON.parse(readFileSync(file, "utf8")) as StoredSecrets;
};

/** Secrets from config when given (production), else from the local file under DATA_DIR. */
export const PlatformSecretsLive = Layer.effect(
  PlatformSecrets,
  Effect.gen(function* () {
    const config = yield* platformConfig;
    if (Option.isSome(config.jwtSecret) && Option.isSome(config.internalToken)) {
      return { jwtSecret: config.jwtSecret.value, internalToken: config.internalToken.value };
    }
    const local = yield* Effect.sync(() => readOrCreateLocalSecrets(config.dataDir));
    return {
      jwtSecret: Option.getOrElse(config.jwtSecret, () => Redacted.make(local.jwtSecret)),
      internalToken: Option.getOrElse(config.internalToken, () => Redacted.make(local.internalToken)),
    };
  }),
);

/**
 * The secrets in plain form, for a service's HTTP middleware: the one place where they leave
 * Redacted, once, when the service's app is built.
 */
export const revealSecrets = async (runtime: ManagedRuntime.ManagedRuntime<PlatformSecrets, never>) => {
  const secrets = await runtime.runPromise(Effect.gen(function* () { return yield* PlatformSecrets; }));
  return { jwtSecret: Redacted.value(secrets.jwtSecret), internalToken: Redacted.value(secrets.internalToken) };
};
