CREATE TABLE `log_lines` (
	`preview_id` text NOT NULL,
	`id` integer NOT NULL,
	`timestamp` text NOT NULL,
	`level` text NOT NULL,
	`source` text NOT NULL,
	`message` text NOT NULL,
	`bytes` integer NOT NULL,
	PRIMARY KEY(`preview_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `log_previews` (
	`preview_id` text PRIMARY KEY NOT NULL,
	`last_id` integer DEFAULT 0 NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`line_count` integer DEFAULT 0 NOT NULL,
	`byte_count` integer DEFAULT 0 NOT NULL,
	`status` text,
	`updated_at` integer NOT NULL
);
