CREATE TABLE "generation_env" (
	"generation_id" text PRIMARY KEY NOT NULL,
	"variables" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "generations" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"project_id" text NOT NULL,
	"file_count" integer NOT NULL,
	"bytes" bigint NOT NULL,
	"content_hash" text NOT NULL,
	"entry" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "port_reservations" (
	"port" integer PRIMARY KEY NOT NULL,
	"preview_id" text NOT NULL,
	"reserved_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "previews" (
	"id" text PRIMARY KEY NOT NULL,
	"generation_id" text NOT NULL,
	"user_id" text NOT NULL,
	"status" text NOT NULL,
	"runtime" text NOT NULL,
	"entry" text NOT NULL,
	"work_dir" text NOT NULL,
	"port" integer,
	"socket_path" text,
	"pid" integer,
	"process_start_ticks" text,
	"preview_token_hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	"started_at" bigint,
	"stopped_at" bigint,
	"expires_at" bigint NOT NULL,
	"last_activity_at" bigint NOT NULL,
	"extensions" integer DEFAULT 0 NOT NULL,
	"exit_code" integer,
	"error_message" text,
	"failure" text,
	"last_health_check" bigint,
	"health_status" text DEFAULT 'unknown' NOT NULL
);
--> statement-breakpoint
ALTER TABLE "generation_env" ADD CONSTRAINT "generation_env_generation_id_generations_id_fk" FOREIGN KEY ("generation_id") REFERENCES "public"."generations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "previews" ADD CONSTRAINT "previews_generation_id_generations_id_fk" FOREIGN KEY ("generation_id") REFERENCES "public"."generations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "generations_user" ON "generations" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "previews_one_live_per_generation" ON "previews" USING btree ("generation_id") WHERE status in ('launching', 'running');--> statement-breakpoint
CREATE INDEX "previews_user_status" ON "previews" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "previews_generation_created" ON "previews" USING btree ("generation_id","created_at");