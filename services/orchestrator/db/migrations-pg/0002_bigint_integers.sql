ALTER TABLE "generations" ALTER COLUMN "file_count" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "nodes" ALTER COLUMN "capacity" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "nodes" ALTER COLUMN "draining" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "port_reservations" ALTER COLUMN "port" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "previews" ALTER COLUMN "port" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "previews" ALTER COLUMN "pid" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "previews" ALTER COLUMN "extensions" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "previews" ALTER COLUMN "exit_code" SET DATA TYPE bigint;