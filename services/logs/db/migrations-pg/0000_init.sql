CREATE TABLE "log_lines" (
	"preview_id" text NOT NULL,
	"id" bigint NOT NULL,
	"timestamp" text NOT NULL,
	"level" text NOT NULL,
	"source" text NOT NULL,
	"message" text NOT NULL,
	"bytes" integer NOT NULL,
	CONSTRAINT "log_lines_preview_id_id_pk" PRIMARY KEY("preview_id","id")
);
--> statement-breakpoint
CREATE TABLE "log_previews" (
	"preview_id" text PRIMARY KEY NOT NULL,
	"last_id" bigint DEFAULT 0 NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"line_count" bigint DEFAULT 0 NOT NULL,
	"byte_count" bigint DEFAULT 0 NOT NULL,
	"status" text,
	"updated_at" bigint NOT NULL
);
