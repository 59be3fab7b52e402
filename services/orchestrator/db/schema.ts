// The one description of these tables: ./schema-pg.ts (PostgreSQL) is rendered from it by
// `npm run db:schema:pg`, and both dialects' migrations are generated from the two.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const generations = sqliteTable("generations", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  projectId: text("project_id").notNull(),
  fileCount: integer("file_count").notNull(),
  bytes: integer("bytes").notNull(),
  contentHash: text("content_hash").notNull(),
  entry: text("entry"),
  createdAt: integer("created_at").notNull(),
}, (t) => [index("generations_user").on(t.userId)]);

/** Statuses in which a preview holds a process; at most one such row per generation. */
export const liveStatuses = ["launching", "running"] as const;

export const previews = sqliteTable("previews", {
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
  createdAt: integer("created_at").notNull(),
  startedAt: integer("started_at"),
  stoppedAt: integer("stopped_at"),
  expiresAt: integer("expires_at").notNull(),
  lastActivityAt: integer("last_activity_at").notNull(),
  extensions: integer("extensions").notNull().default(0),
  exitCode: integer("exit_code"),
  errorMessage: text("error_message"),
  /** The structured diagnosis (libs/previews/failure.ts) of a failed or crashed preview, as JSON. */
  failure: text("failure"),
  lastHealthCheck: integer("last_health_check"),
  healthStatus: text("health_status", { enum: ["unknown", "healthy", "unhealthy"] }).notNull().default("unknown"),
  /** The runner node (nodes.id) that runs it; null for rows older than nodes. */
  node: text("node"),
}, (t) => [
  // The database itself refuses a second live preview of one generation, so two concurrent
  // launches cannot both pass a check-then-insert.
  uniqueIndex("previews_one_live_per_generation").on(t.generationId).where(sql`status in ('launching', 'running')`),
  index("previews_user_status").on(t.userId, t.status),
  index("previews_generation_created").on(t.generationId, t.createdAt),
  index("previews_node_status").on(t.node, t.status),
]);

/**
 * The environment a generation's previews run with (`env` on launch; the latest launch's replaces it).
 * Values are the user's secrets: never logged, never returned by a route.
 */
export const generationEnv = sqliteTable("generation_env", {
  generationId: text("generation_id").primaryKey().references(() => generations.id),
  /** JSON object NAME → value. */
  variables: text("variables").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Host ports handed to previews; the primary key makes a double hand-out impossible. */
export const portReservations = sqliteTable("port_reservations", {
  port: integer("port").primaryKey(),
  previewId: text("preview_id").notNull(),
  reservedAt: integer("reserved_at").notNull(),
});

/**
 * Runner nodes: each orchestrator process is one. A node renews its lease while it lives; a node
 * whose lease lapsed is lost (its previews end as crashed). `url` is where the other nodes reach
 * its internal routes; `capacity` how many live previews it takes.
 */
export const nodes = sqliteTable("nodes", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  capacity: integer("capacity").notNull(),
  /** 1 once it drains (SIGTERM): it takes no more launches. */
  draining: integer("draining").notNull().default(0),
  startedAt: integer("started_at").notNull(),
  leaseExpiresAt: integer("lease_expires_at").notNull(),
});
