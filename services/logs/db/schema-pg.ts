import { bigint, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { logLevels, logSources, previewStatuses } from "../../../libs/logs/statuses.ts";

// The same tables as ./schema.ts (SQLite), column for column; test/cluster/schema-parity.test.ts
// holds the two to one shape. Counters and ids are bigint here (SQLite's integer is 64-bit too).
const int8 = (name: string) => bigint(name, { mode: "number" });

export const logPreviews = pgTable("log_previews", {
  previewId: text("preview_id").primaryKey(),
  lastId: int8("last_id").notNull().default(0),
  lastSeq: int8("last_seq").notNull().default(0),
  lineCount: int8("line_count").notNull().default(0),
  byteCount: int8("byte_count").notNull().default(0),
  status: text("status", { enum: previewStatuses }),
  updatedAt: int8("updated_at").notNull(),
});

export const logLines = pgTable("log_lines", {
  previewId: text("preview_id").notNull(),
  id: int8("id").notNull(),
  timestamp: text("timestamp").notNull(),
  level: text("level", { enum: logLevels }).notNull(),
  source: text("source", { enum: logSources }).notNull(),
  message: text("message").notNull(),
  bytes: integer("bytes").notNull(),
}, (t) => [primaryKey({ columns: [t.previewId, t.id] })]);
