CREATE TABLE `reply_templates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`outcome` text NOT NULL,
	`ground_code` text,
	`body` text NOT NULL,
	`created_by` integer NOT NULL,
	`updated_by` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`retired_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reply_templates_active` ON `reply_templates` (`retired_at`,`outcome`);--> statement-breakpoint
ALTER TABLE `cases` ADD `notice_sent_at` integer;--> statement-breakpoint
ALTER TABLE `cases` ADD `notice_method` text;--> statement-breakpoint
ALTER TABLE `cases` ADD `notice_not_sent_reason` text;--> statement-breakpoint
ALTER TABLE `cases` ADD `notice_recorded_at` integer;--> statement-breakpoint
ALTER TABLE `cases` ADD `notice_recorded_by` integer;--> statement-breakpoint
CREATE INDEX `outbox_kind` ON `outbox` (`kind`,`id`);--> statement-breakpoint
CREATE INDEX `outbox_created` ON `outbox` (`created_at`);