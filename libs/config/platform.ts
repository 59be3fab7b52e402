import { Config } from "effect";

/** Settings every service shares: where data lives, the platform's secrets (the public origins: origins.ts). */
export const platformConfig = Config.all({
  dataDir: Config.String("DATA_DIR").pipe(Config.withDefault("./.data")),
  jwtSecret: Config.Redacted("JWT_SECRET").pipe(Config.option),
  internalToken: Config.Redacted("INTERNAL_TOKEN").pipe(Config.option),
});

export type PlatformConfig = typeof platformConfig extends Config.Config<infer A> ? A : never;
