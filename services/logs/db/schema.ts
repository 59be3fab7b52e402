// The one description of these tables: ./schema-pg.ts (PostgreSQL) is rendered from it by
// `npm run db:schema:pg`, and both dialects' migrations are generated from the two.
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { logLevels, logSources, previewStatuses } from "../../../libs/logs/statuses.ts";

/**
 * One row per preview the service has heard of. `lastId` is the id counter: it only grows, so an
 * id is never reused, even after retention deleted every line. `lastSeq` is the last sink
 * sequence number stored, which makes a retried batch harmless.
 */
export const logPreviews = sqliteTable("log_previews", {
  previewId: text("preview_id").primaryKey(),
  lastId: integer("last_id").notNull().default(0),
  lastSeq: integer("last_seq").notNull().default(0),
  lineCount: integer("line_count").notNull().default(0),
  byteCount: integer("byte_count").notNull().default(0),
  status: text("status", { enum: previewStatuses }),
  updatedAt: integer("updated_at").notNull(),
});

export const logLines = sqliteTable("log_lines", {
  previewId: text("preview_id").notNull(),
  id: integer("id").notNull(),
  timestamp: text("timestamp").notNull(),
  level: text("level", { enum: logLevels }).notNull(),
  source: text("source", { enum: logSources }).notNull(),
  message: text("message").notNull(),
  bytes: integer("bytes").notNull(),
}, (t) => [primaryKey({ columns: [t.previewId, t.id] })]);
