import { Config } from "effect";

/** Settings every service shares: where data lives, the platform's secrets, the public origin. */
export const platformConfig = Config.all({
  dataDir: Config.String("DATA_DIR").pipe(Config.withDefault("./.data")),
  jwtSecret: Config.Redacted("JWT_SECRET").pipe(Config.option),
  internalToken: Config.Redacted("INTERNAL_TOKEN").pipe(Config.option),
  publicUrl: Config.String("PUBLIC_URL").pipe(Config.withDefault("http://127.0.0.1:8080")),
});

export type PlatformConfig = typeof platformConfig extends Config.Config<infer A> ? A : never;
