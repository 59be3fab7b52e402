import { getTableConfig as pgConfig, type PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import type { SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
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

const ofSqlite = (t: SQLiteTable): Portable => {
  const c = sqliteConfig(t);
  return {
    name: c.name,
    columns: portableColumns(c.columns),
    primaryKeys: c.primaryKeys.map((pk) => pk.columns.map((col) => col.name)),
    indexes: c.indexes.map((i) => ({ name: i.config.name, unique: i.config.unique, on: i.config.columns.map((col) => ("name" in col ? col.name : "?")), where: whereText(i.config.where) })),
    foreignKeys: c.foreignKeys.map((fk) => { const r = fk.reference(); return { from: r.columns.map((x) => x.name), to: r.foreignColumns.map((x) => x.name) }; }),
  };
};

const ofPg = (t: PgTable): Portable => {
  const c = pgConfig(t);
  return {
    name: c.name,
    columns: portableColumns(c.columns),
    primaryKeys: c.primaryKeys.map((pk) => pk.columns.map((col) => col.name)),
    indexes: c.indexes.map((i) => ({ name: i.config.name, unique: i.config.unique, on: i.config.columns.map((col) => ("name" in col ? col.name : "?")), where: whereText(i.config.where) })),
    foreignKeys: c.foreignKeys.map((fk) => { const r = fk.reference(); return { from: r.columns.map((x) => x.name), to: r.foreignColumns.map((x) => x.name) }; }),
  };
};

// Each table is written once per dialect (drizzle has one table builder per dialect); this holds
// the two to one shape, so a column added to one and not the other fails here, not in production.
describe("one shape per table on SQLite and PostgreSQL", () => {
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
});
