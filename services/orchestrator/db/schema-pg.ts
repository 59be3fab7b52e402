import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";

// The same tables as ./schema.ts (SQLite), column for column; test/cluster/schema-parity.test.ts
// holds the two to one shape. Times in ms since the epoch and byte counts are bigint here.
const int8 = (name: string) => bigint(name, { mode: "number" });

export const generations = pgTable("generations", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  projectId: text("project_id").notNull(),
  fileCount: integer("file_count").notNull(),
  bytes: int8("bytes").notNull(),
  contentHash: text("content_hash").notNull(),
  entry: text("entry"),
  createdAt: int8("created_at").notNull(),
}, (t) => [index("generations_user").on(t.userId)]);

export const previews = pgTable("previews", {
  id: text("id").primaryKey(),
  generationId: text("generation_id").notNull().references(() => generations.id),
  userId: text("user_id").notNull(),
  status: text("status", { enum: ["launching", "running", "failed", "crashed", "stopped", "expired"] }).notNull(),
  runtime: text("runtime").notNull(),
  entry: text("entry").notNull(),
  workDir: text("work_dir").notNull(),
  port: integer("port"),
  socketPath: text("socket_path"),
  pid: integer("pid"),
  processStartTicks: text("process_start_ticks"),
  previewTokenHash: text("preview_token_hash").notNull(),
  createdAt: int8("created_at").notNull(),
  startedAt: int8("started_at"),
  stoppedAt: int8("stopped_at"),
  expiresAt: int8("expires_at").notNull(),
  lastActivityAt: int8("last_activity_at").notNull(),
  extensions: integer("extensions").notNull().default(0),
  exitCode: integer("exit_code"),
  errorMessage: text("error_message"),
  failure: text("failure"),
  lastHealthCheck: int8("last_health_check"),
  healthStatus: text("health_status", { enum: ["unknown", "healthy", "unhealthy"] }).notNull().default("unknown"),
  node: text("node"),
}, (t) => [
  // As on SQLite: the database itself refuses a second live preview of one generation.
  uniqueIndex("previews_one_live_per_generation").on(t.generationId).where(sql`status in ('launching', 'running')`),
  index("previews_user_status").on(t.userId, t.status),
  index("previews_generation_created").on(t.generationId, t.createdAt),
  index("previews_node_status").on(t.node, t.status),
]);

export const generationEnv = pgTable("generation_env", {
  generationId: text("generation_id").primaryKey().references(() => generations.id),
  variables: text("variables").notNull(),
  updatedAt: int8("updated_at").notNull(),
});

export const portReservations = pgTable("port_reservations", {
  port: integer("port").primaryKey(),
  previewId: text("preview_id").notNull(),
  reservedAt: int8("reserved_at").notNull(),
});

export const nodes = pgTable("nodes", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  capacity: integer("capacity").notNull(),
  draining: integer("draining").notNull().default(0),
  startedAt: int8("started_at").notNull(),
  leaseExpiresAt: int8("lease_expires_at").notNull(),
});
