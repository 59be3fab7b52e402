import { getTableConfig as pgConfig, type PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { type SQL, sql } from "drizzle-orm";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { renderPair, renderPgSchema, schemaPairs } from "../../scripts/db/pg-schema.ts";
import * as logsPg from "../../services/logs/db/schema-pg.ts";
import * as logsSqlite from "../../services/logs/db/schema.ts";
import * as orchestratorPg from "../../services/orchestrator/db/schema-pg.ts";
import * as orchestratorSqlite from "../../services/orchestrator/db/schema.ts";

/** A column's portable meaning: what a query can tell apart. Integers of either width are "integer". */
const family = (columnType: string) => (/Int|Integer|BigInt|Serial/i.test(columnType) ? "integer" : /Text|String/i.test(columnType) ? "text" : columnType);

interface Portable { name: string; columns: unknown[]; primaryKeys: string[][]; indexes: unknown[]; foreignKeys: unknown[] }

/** A partial index's condition as written (both schemas spell it in plain SQL). */
const whereText = (where: SQL | undefined) => (where === undefined ? null : JSON.stringify(where.queryChunks));

const portableColumns = (columns: ReadonlyArray<{ name: string; columnType: string; notNull: boolean; default: unknown; primary: boolean; enumValues?: unknown }>) =>
  columns.map((c) => ({ name: c.name, type: family(c.columnType), notNull: c.notNull, default: c.default ?? null, primary: c.primary, enum: c.enumValues ?? null }))
    .sort((a, b) => a.name.localeCompare(b.name));

/** What both dialects' getTableConfig give, as far as the comparison reads it. */
interface TableConfig {
  readonly name: string;
  readonly columns: Parameters<typeof portableColumns>[0];
  readonly primaryKeys: ReadonlyArray<{ readonly columns: ReadonlyArray<{ readonly name: string }> }>;
  readonly indexes: ReadonlyArray<{ readonly config: { readonly name?: string | undefined; readonly unique: boolean; readonly columns: ReadonlyArray<object>; readonly where?: SQL | undefined } }>;
  readonly foreignKeys: ReadonlyArray<{ readonly reference: () => { readonly columns: ReadonlyArray<{ readonly name: string }>; readonly foreignColumns: ReadonlyArray<{ readonly name: string }> } }>;
}

const portable = (c: TableConfig): Portable => ({
  name: c.name,
  columns: portableColumns(c.columns),
  primaryKeys: c.primaryKeys.map((pk) => pk.columns.map((col) => col.name)),
  indexes: c.indexes.map((i) => ({ name: i.config.name, unique: i.config.unique, on: i.config.columns.map((col) => ("name" in col ? col.name : "?")), where: whereText(i.config.where) })),
  foreignKeys: c.foreignKeys.map((fk) => { const r = fk.reference(); return { from: r.columns.map((x) => x.name), to: r.foreignColumns.map((x) => x.name) }; }),
});
const ofSqlite = (t: SQLiteTable): Portable => portable(sqliteConfig(t));
const ofPg = (t: PgTable): Portable => portable(pgConfig(t));

const root = new URL("../../", import.meta.url);

// Each table is written once, in the SQLite schema; the PostgreSQL one is rendered from it
// (scripts/db/pg-schema.ts). These hold the rendering to the same shape and the repo to the rendering.
describe("one shape per table on SQLite and PostgreSQL", () => {
  it.each(schemaPairs)("$target is what `npm run db:schema:pg` renders from $source", async (pair) => {
    expect(readFileSync(new URL(pair.target, root), "utf8")).toBe(await renderPair(root.href, pair));
  });

  it.each([
    ["logs log_previews", logsSqlite.logPreviews, logsPg.logPreviews],
    ["logs log_lines", logsSqlite.logLines, logsPg.logLines],
    ["orchestrator generations", orchestratorSqlite.generations, orchestratorPg.generations],
    ["orchestrator previews", orchestratorSqlite.previews, orchestratorPg.previews],
    ["orchestrator generation_env", orchestratorSqlite.generationEnv, orchestratorPg.generationEnv],
    ["orchestrator port_reservations", orchestratorSqlite.portReservations, orchestratorPg.portReservations],
    ["orchestrator nodes", orchestratorSqlite.nodes, orchestratorPg.nodes],
  ] as const)("%s", (_, sqlite: SQLiteTable, pg: PgTable) => {
    expect(ofPg(pg)).toEqual(ofSqlite(sqlite));
  });

  it("compares partial indexes' conditions", () => {
    const index = ofPg(orchestratorPg.previews).indexes.find((i) => (i as { name: string }).name === "previews_one_live_per_generation");
    expect(index).toMatchObject({ unique: true, where: expect.stringContaining("status in ('launching', 'running')") });
  });

  it("tells a difference apart (a column missing on one side fails)", () => {
    const sqlite = ofSqlite(logsSqlite.logLines);
    const pg = ofPg(logsPg.logLines);
    expect({ ...pg, columns: pg.columns.slice(1) }).not.toEqual(sqlite);
  });

  it("refuses by name what it cannot carry over, instead of dropping it", () => {
    const flagged = sqliteTable("t", { id: text("id").primaryKey(), done: integer("done", { mode: "boolean" }) });
    expect(() => renderPgSchema({ flagged }, "schema.ts")).toThrow("t.done: column type SQLiteBoolean has no PostgreSQL rendering");
    const unique = sqliteTable("u", { id: text("id").unique() });
    expect(() => renderPgSchema({ unique }, "schema.ts")).toThrow("u.id: .unique() is not carried over");
    const parent = sqliteTable("p", { id: text("id").primaryKey() });
    const child = sqliteTable("c", { parent: text("parent").references(() => parent.id, { onDelete: "cascade" }) });
    expect(() => renderPgSchema({ parent, child }, "schema.ts")).toThrow("c: only single-column foreign keys");
    const guarded = sqliteTable("g", { id: text("id") }, (t) => [uniqueIndex("g_lower").on(sql`lower(${t.id})`)]);
    expect(() => renderPgSchema({ guarded }, "schema.ts")).toThrow("g: index g_lower is on an expression");
    const composite = sqliteTable("k", { a: text("a"), b: text("b") }, (t) => [primaryKey({ columns: [t.a, t.b] })]);
    expect(renderPgSchema({ composite }, "schema.ts")).toContain("primaryKey({ columns: [t.a, t.b] })");
  });
});

// A schema change with no migration would pass every test on a fresh database and fail on a live one.
describe("the shipped migrations are what the schemas say", () => {
  it.each([
    { dialect: "sqlite", schema: "services/orchestrator/db/schema.ts", migrations: "services/orchestrator/db/migrations" },
    { dialect: "sqlite", schema: "services/logs/db/schema.ts", migrations: "services/logs/db/migrations" },
    { dialect: "postgresql", schema: "services/orchestrator/db/schema-pg.ts", migrations: "services/orchestrator/db/migrations-pg" },
    { dialect: "postgresql", schema: "services/logs/db/schema-pg.ts", migrations: "services/logs/db/migrations-pg" },
  ])("$migrations", ({ dialect, schema, migrations }) => {
    const cwd = new URL(".", root).pathname;
    const scratch = mkdtempSync(join(tmpdir(), "migrations-"));
    try {
      const copy = join(scratch, "m");
      cpSync(join(cwd, migrations), copy, { recursive: true });
      const before = readdirSync(copy).sort();
      // drizzle-kit takes --out relative to its working directory only.
      const output = execFileSync(join(cwd, "node_modules/.bin/drizzle-kit"), ["generate", "--dialect", dialect, "--schema", schema, "--out", relative(cwd, copy)], { cwd, encoding: "utf8" });
      expect(readdirSync(copy).sort(), output).toEqual(before);
      expect(output).toContain("No schema changes");
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
