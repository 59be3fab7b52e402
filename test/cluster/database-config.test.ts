import { ConfigProvider, Effect } from "effect";
import { describe, expect, it } from "vitest";
import { databaseChoice } from "../../libs/db/database-config.ts";

const choose = (env: Record<string, string>) =>
  Effect.runPromise(databaseChoice.pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(env)))));

describe("DATABASE_URL", () => {
  it("unset or empty keeps the embedded SQLite files; postgres:// and postgresql:// choose PostgreSQL", async () => {
    expect(await choose({})).toEqual({ kind: "sqlite" });
    expect(await choose({ DATABASE_URL: "" })).toEqual({ kind: "sqlite" });
    expect(await choose({ DATABASE_URL: "postgres://app@127.0.0.1:5432/platform" })).toEqual({ kind: "postgres", url: "postgres://app@127.0.0.1:5432/platform" });
    expect(await choose({ DATABASE_URL: "postgresql://h/db" })).toEqual({ kind: "postgres", url: "postgresql://h/db" });
  });

  it("anything else stops the service with a message naming the variable, without echoing the URL's secrets", async () => {
    const error = await choose({ DATABASE_URL: "mysql://root:hunter2@db/x" }).then(() => undefined, (e: unknown) => String(e));
    expect(error).toMatch(/DATABASE_URL must be postgres:\/\/.*not mysql:/);
    expect(error).not.toContain("hunter2");
  });
});
