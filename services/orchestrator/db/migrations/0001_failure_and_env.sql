CREATE TABLE `generation_env` (
	`generation_id` text PRIMARY KEY NOT NULL,
	`variables` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`generation_id`) REFERENCES `generations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `previews` ADD `failure` text;