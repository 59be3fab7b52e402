CREATE TABLE `generations` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`project_id` text NOT NULL,
	`file_count` integer NOT NULL,
	`bytes` integer NOT NULL,
	`content_hash` text NOT NULL,
	`entry` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `generations_user` ON `generations` (`user_id`);--> statement-breakpoint
CREATE TABLE `port_reservations` (
	`port` integer PRIMARY KEY NOT NULL,
	`preview_id` text NOT NULL,
	`reserved_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `previews` (
	`id` text PRIMARY KEY NOT NULL,
	`generation_id` text NOT NULL,
	`user_id` text NOT NULL,
	`status` text NOT NULL,
	`runtime` text NOT NULL,
	`entry` text NOT NULL,
	`work_dir` text NOT NULL,
	`port` integer,
	`socket_path` text,
	`pid` integer,
	`process_start_ticks` text,
	`preview_token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`stopped_at` integer,
	`expires_at` integer NOT NULL,
	`last_activity_at` integer NOT NULL,
	`extensions` integer DEFAULT 0 NOT NULL,
	`exit_code` integer,
	`error_message` text,
	`last_health_check` integer,
	`health_status` text DEFAULT 'unknown' NOT NULL,
	FOREIGN KEY (`generation_id`) REFERENCES `generations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `previews_one_live_per_generation` ON `previews` (`generation_id`) WHERE status in ('launching', 'running');--> statement-breakpoint
CREATE INDEX `previews_user_status` ON `previews` (`user_id`,`status`);--> statement-breakpoint
CREATE INDEX `previews_generation_created` ON `previews` (`generation_id`,`created_at`);