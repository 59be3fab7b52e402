import { Config } from "effect";

/** An integer setting with its default. */
export const int = (name: string, fallback: number): Config.Config<number> => Config.Int(name).pipe(Config.withDefault(fallback));
