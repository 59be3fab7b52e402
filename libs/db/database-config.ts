import { Config, Effect, Option } from "effect";
import { isPostgresUrl } from "./postgres.ts";

/** The scale-out database's URL; none: the embedded SQLite files. */
export type DatabaseChoice = { readonly kind: "sqlite" } | { readonly kind: "postgres"; readonly url: string };

/**
 * Where the orchestrator's and the logs service's state lives. DATABASE_URL unset (or empty):
 * each service's own SQLite file under DATA_DIR (the embedded default, `npm start`).
 * `postgres://…`: one PostgreSQL shared by every replica (the scale-out path). Anything else stops
 * the service at start with a message naming the variable.
 */
export const databaseChoice = Effect.flatMap(
  Config.String("DATABASE_URL").pipe(Config.option),
  (url): Effect.Effect<DatabaseChoice> => {
    if (Option.isNone(url) || url.value === "") return Effect.succeed({ kind: "sqlite" });
    if (isPostgresUrl(url.value)) return Effect.succeed({ kind: "postgres", url: url.value });
    return Effect.die(new Error(`DATABASE_URL must be postgres://user@host:port/database (or unset for the embedded SQLite files), not ${url.value.split(":")[0]}:…`));
  },
);
