CREATE TABLE `nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`capacity` integer NOT NULL,
	`draining` integer DEFAULT 0 NOT NULL,
	`started_at` integer NOT NULL,
	`lease_expires_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `previews` ADD `node` text;--> statement-breakpoint
CREATE INDEX `previews_node_status` ON `previews` (`node`,`status`);