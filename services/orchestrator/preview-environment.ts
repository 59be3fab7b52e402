export interface PlatformVariable {
  readonly name: string;
  readonly value: string;
  readonly reason: string;
}

/**
 * Names a project reads its database URL from besides DATABASE_URL: a settings field annotated with
 * that name (pydantic-settings matches env names case-insensitively) or an os.environ / getenv read.
 * A computed property of that name is not a field and is left alone (an env variable cannot set it).
 */
const databaseUrlNames = /\b(SQLALCHEMY_DATABASE_UR[IL]|ASYNC_DATABASE_UR[IL]|DATABASE_URI|DATABASE_DSN|DB_UR[IL]|POSTGRES_URL|POSTGRES_DSN|SQL_DATABASE_URL)\b/gi;

export const databaseSettingsIn = (source: string): ReadonlyArray<string> => {
  const found = new Set<string>();
  for (const match of source.matchAll(databaseUrlNames)) {
    const name = match[1] ?? "";
    const after = source.slice((match.index ?? 0) + name.length, (match.index ?? 0) + name.length + 40);
    const before = source.slice(Math.max(0, (match.index ?? 0) - 40), match.index ?? 0);
    const field = /^\s*:/.test(after) && /(^|\n)[ \t]+$/.test(before);
    const read = /(getenv|environ(\.get)?|env)\s*[([]\s*["']$/.test(before);
    if (field || read) found.add(name.toUpperCase());
  }
  return [...found].sort();
};

/**
 * The preview's environment: the platform's own variables, the user's `env` (which wins: they asked
 * for it), and the per-preview SQLite database under every name the project reads a database URL
 * from. Each variable the platform sets is returned with its reason, to be announced in the log.
 */
export const previewEnvironment = (input: {
  readonly userEnv: Readonly<Record<string, string>>;
  readonly databaseUrl: string;
  readonly databaseSettings: ReadonlyArray<string>;
}): { readonly env: Record<string, string>; readonly announced: ReadonlyArray<PlatformVariable>; readonly kept: ReadonlyArray<string> } => {
  const platform: PlatformVariable[] = ["DATABASE_URL", ...input.databaseSettings.filter((n) => n !== "DATABASE_URL")].map((name) => ({
    name,
    value: input.databaseUrl,
    reason: "the preview has no database server, so a SQLite file in its work dir stands in (a value in the project's .env is not used)",
  }));
  const announced = platform.filter((v) => !(v.name in input.userEnv));
  const kept = platform.filter((v) => v.name in input.userEnv).map((v) => v.name);
  return {
    env: { PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1", ...Object.fromEntries(announced.map((v) => [v.name, v.value])), ...input.userEnv },
    announced,
    kept,
  };
};
