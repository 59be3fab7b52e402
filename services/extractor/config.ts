import { Config } from "effect";

/** Everything the extractor service reads from its environment, as EXTRACTOR_<NAME>. */
export const extractorConfig = Config.all({
  host: Config.String("HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.Port("PORT").pipe(Config.withDefault(8083)),
  /** A generation is at most 20 MiB of text; JSON escaping can double it on the wire. */
  maxBodyBytes: Config.Int("MAX_BODY_BYTES").pipe(Config.withDefault(48 * 1024 * 1024)),
}).pipe(Config.nested("EXTRACTOR"));

export type ExtractorConfig = typeof extractorConfig extends Config.Config<infer A> ? A : never;
