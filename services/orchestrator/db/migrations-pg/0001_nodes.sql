CREATE TABLE "nodes" (
	"id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"capacity" integer NOT NULL,
	"draining" integer DEFAULT 0 NOT NULL,
	"started_at" bigint NOT NULL,
	"lease_expires_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "previews" ADD COLUMN "node" text;--> statement-breakpoint
CREATE INDEX "previews_node_status" ON "previews" USING btree ("node","status");