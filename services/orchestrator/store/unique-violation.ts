/** A unique index refused the write: SQLite's SQLITE_CONSTRAINT_UNIQUE or PostgreSQL's SQLSTATE 23505, however deep drizzle wrapped it. */
export const isUniqueViolation = (e: unknown): boolean => {
  for (let cause: unknown = e; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "23505") return true;
  }
  return false;
};
