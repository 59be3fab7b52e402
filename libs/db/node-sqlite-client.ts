import type { DatabaseSync, StatementSync } from "node:sqlite";

type Params = Array<null | number | bigint | string | Uint8Array>;

/** The part of better-sqlite3's API that drizzle's better-sqlite3 session and our wiring use. */
export interface SqliteClient {
  prepare(sql: string): {
    run(...params: Params): { changes: number | bigint; lastInsertRowid: number | bigint };
    all(...params: Params): unknown[];
    get(...params: Params): unknown;
    raw(): { all(...params: Params): unknown[]; get(...params: Params): unknown };
  };
  transaction<A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) & {
    deferred: (...args: A) => R;
    immediate: (...args: A) => R;
    exclusive: (...args: A) => R;
  };
  pragma(statement: string): void;
  exec(sql: string): void;
  close(): void;
}

/** node:sqlite reports a unique violation as errcode 2067; callers test better-sqlite3's code. */
const normaliseError = (e: unknown): unknown => {
  if (e instanceof Error && (e as { errcode?: number }).errcode === 2067) {
    Object.assign(e, { code: "SQLITE_CONSTRAINT_UNIQUE" });
  }
  return e;
};

const guarded = <A extends unknown[], R>(f: (...args: A) => R) => (...args: A): R => {
  try {
    return f(...args);
  } catch (e) {
    throw normaliseError(e);
  }
};

/**
 * better-sqlite3's shape over node:sqlite's DatabaseSync (both synchronous), so drizzle's
 * better-sqlite3 session, our schema, migrations and queries run on the runtime's built-in SQLite
 * under Node and Deno alike (Deno cannot load better-sqlite3's addon; Node then needs no compile).
 */
export const nodeSqliteClient = (db: DatabaseSync): SqliteClient => ({
  prepare: (sql) => {
    const stmt = db.prepare(sql);
    let arrays: StatementSync | undefined;
    const rawStatement = () => {
      if (arrays === undefined) {
        arrays = db.prepare(sql);
        (arrays as StatementSync & { setReturnArrays(on: boolean): void }).setReturnArrays(true);
      }
      return arrays;
    };
    return {
      run: guarded((...p: Params) => stmt.run(...p)),
      all: guarded((...p: Params) => stmt.all(...p)),
      get: guarded((...p: Params) => stmt.get(...p)),
      raw: () => ({
        all: guarded((...p: Params) => rawStatement().all(...p)),
        get: guarded((...p: Params) => rawStatement().get(...p)),
      }),
    };
  },
  transaction: <A extends unknown[], R>(fn: (...args: A) => R) => {
    const inMode = (mode: string) => (...args: A): R => {
      db.exec(`BEGIN ${mode}`);
      try {
        const result = fn(...args);
        db.exec("COMMIT");
        return result;
      } catch (e) {
        db.exec("ROLLBACK");
        throw normaliseError(e);
      }
    };
    const deferred = inMode("DEFERRED");
    return Object.assign(deferred, { deferred, immediate: inMode("IMMEDIATE"), exclusive: inMode("EXCLUSIVE") });
  },
  pragma: (statement) => db.exec(`PRAGMA ${statement}`),
  exec: (sql) => db.exec(sql),
  close: () => db.close(),
});
