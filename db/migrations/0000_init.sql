CREATE TABLE `grounds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`version_id` integer NOT NULL,
	`code` text NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`position` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`version_id`) REFERENCES `principle_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `grounds_version_code` ON `grounds` (`version_id`,`code`);--> statement-breakpoint
CREATE TABLE `principle_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`version` text,
	`major` integer,
	`minor` integer,
	`status` text NOT NULL,
	`body_markdown` text NOT NULL,
	`change_summary` text NOT NULL,
	`effective_at` integer,
	`published_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `principle_versions_version` ON `principle_versions` (`version`);--> statement-breakpoint
CREATE INDEX `principle_versions_effective` ON `principle_versions` (`status`,`effective_at`);