import { describe, expect, it } from "vitest";
import { InvalidRequest } from "../../libs/http/request-errors.ts";
import { envLimits, validateLaunchEnv } from "../../libs/previews/launch-env.ts";
import { candidateDistributions, requirementForModule, requirementLines } from "../../libs/runtime/requirements/module-requirements.ts";
import { databaseSettingsIn, previewEnvironment } from "../../services/orchestrator/preview-environment.ts";

describe("a launch's env", () => {
  it("accepts ordinary names and values", () => {
    expect(validateLaunchEnv({ SECRET_KEY: "x", _private: "", stripe_key2: "y=z" })).toEqual({ SECRET_KEY: "x", _private: "", stripe_key2: "y=z" });
  });

  it("refuses too many variables, too much in all, and a NUL, naming the field and never the value", () => {
    const many = Object.fromEntries(Array.from({ length: envLimits.maxVariables + 1 }, (_, i) => [`V${i}`, "1"]));
    const tooMany = validateLaunchEnv(many);
    expect(tooMany).toBeInstanceOf(InvalidRequest);
    expect((tooMany as InvalidRequest).details).toMatchObject({ field: "env" });
    const big = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`V${i}`, "s".repeat(30_000)]));
    expect((validateLaunchEnv(big) as InvalidRequest).message).toMatch(/in all/);
    const nul = validateLaunchEnv({ TOKEN: "secret\u0000value" }) as InvalidRequest;
    expect(nul.details).toMatchObject({ field: "env.TOKEN" });
    expect(nul.message).not.toContain("secret");
    for (const name of ["LD_PRELOAD", "PYTHONSTARTUP", "HOME", "LC_ALL"]) expect(validateLaunchEnv({ [name]: "x" })).toBeInstanceOf(InvalidRequest);
  });
});

describe("database URL names in a project's source", () => {
  it("finds settings fields and environment reads, not computed properties or mentions", () => {
    const source = [
      "class Settings(BaseSettings):",
      "    sqlalchemy_database_uri: str = 'postgresql://x'",
      "    DB_URL: Optional[str] = None",
      "    @property",
      "    def ASYNC_DATABASE_URL(self) -> str:",
      "        return 'x'",
      "url = os.getenv('POSTGRES_DSN')",
      "other = os.environ['DATABASE_URI']",
      "# SQL_DATABASE_URL is mentioned in a comment only",
    ].join("\n");
    expect(databaseSettingsIn(source)).toEqual(["DATABASE_URI", "DB_URL", "POSTGRES_DSN", "SQLALCHEMY_DATABASE_URI"]);
  });

  it("the user's env wins over the platform's stand-in, which is then not announced", () => {
    const { env, announced, kept } = previewEnvironment({ userEnv: { DB_URL: "mine" }, databaseUrl: "sqlite:///./.preview.db", databaseSettings: ["DB_URL"] });
    expect(env).toMatchObject({ DATABASE_URL: "sqlite:///./.preview.db", DB_URL: "mine", PYTHONUNBUFFERED: "1" });
    expect(announced.map((v) => v.name)).toEqual(["DATABASE_URL"]);
    expect(kept).toEqual(["DB_URL"]);
  });
});

describe("the requirement behind an imported module", () => {
  const lines = requirementLines("# deps\nfastapi>=0.110\npython-jose[cryptography]==3.3.0  # auth\nPyYAML\n-r other.txt\npsycopg2-binary\\\n==2.9.9\n");

  it("reads requirement lines as written, without comments or options", () => {
    expect(lines).toEqual(["fastapi>=0.110", "python-jose[cryptography]==3.3.0", "PyYAML", "psycopg2-binary==2.9.9"]);
  });

  it("maps import names to distributions, known ones and by normalised name", () => {
    expect(requirementForModule("jose", lines)).toBe("python-jose[cryptography]==3.3.0");
    expect(requirementForModule("yaml", lines)).toBe("PyYAML");
    expect(requirementForModule("psycopg2", lines)).toBe("psycopg2-binary==2.9.9");
    expect(requirementForModule("fastapi", lines)).toBe("fastapi>=0.110");
    expect(requirementForModule("stripe", lines)).toBeUndefined();
    expect(candidateDistributions("PIL")).toEqual(["pillow"]);
    expect(candidateDistributions("Some_Module")).toEqual(["some-module"]);
  });
});
