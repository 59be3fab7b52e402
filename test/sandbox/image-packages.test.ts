// What generators emit most is importable in the image, at versions that fit together (sqlmodel
// with the image's pydantic 2), and `jose` resolves to the boot program's stand-in over PyJWT.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bootDir } from "../../libs/runtime/boot/boot-program.ts";
import { requireImage } from "./support.ts";

const script = `
import json, importlib.metadata as md
import alembic, asyncpg, psycopg2, psycopg, redis, dotenv, sqlmodel, jwt, cryptography
from jose import JWTError, jwt as jose_jwt
from sqlmodel import Field, SQLModel, Session, create_engine, select

class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str

engine = create_engine("sqlite://")
SQLModel.metadata.create_all(engine)
with Session(engine) as s:
    s.add(Hero(name="Deadpond")); s.commit()
    hero = s.exec(select(Hero)).one()
token = jose_jwt.encode({"sub": "ada"}, "k", algorithm="HS256")
try:
    jose_jwt.decode(token, "wrong", algorithms=["HS256"]); bad = "accepted"
except JWTError:
    bad = "rejected"
print(json.dumps({
    "versions": {d: md.version(d) for d in ["alembic", "asyncpg", "psycopg2", "psycopg", "redis", "python-dotenv", "sqlmodel", "pydantic"]},
    "hero": hero.model_dump(), "sub": jose_jwt.decode(token, "k", algorithms=["HS256"])["sub"], "bad": bad,
}))
`;

describe("the sandbox image's packages", () => {
  it("imports alembic, asyncpg, psycopg2, psycopg, redis, python-dotenv, sqlmodel (working over pydantic 2) and jose", async () => {
    const image = requireImage();
    const { stdout } = await promisify(execFile)("bwrap", [
      "--ro-bind", image?.root ?? "/nonexistent", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--unshare-net",
      "--ro-bind", join(bootDir, "fallbacks"), "/tmp/fallbacks", "--clearenv", "--setenv", "PYTHONPATH", "/tmp/fallbacks",
      "/usr/bin/python3", "-c", script,
    ], { timeout: 120_000 });
    const out = JSON.parse(stdout) as { versions: Record<string, string>; hero: unknown; sub: string; bad: string };
    expect(Object.keys(out.versions).sort()).toEqual(["alembic", "asyncpg", "psycopg", "psycopg2", "pydantic", "python-dotenv", "redis", "sqlmodel"]);
    expect(out.versions.pydantic).toMatch(/^2\./);
    expect(out.hero).toEqual({ id: 1, name: "Deadpond" });
    expect(out.sub).toBe("ada");
    expect(out.bad).toBe("rejected");
  });
});
