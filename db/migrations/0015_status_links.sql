CREATE TABLE `appeal_status_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`appeal_id` integer NOT NULL,
	`token_hash` text NOT NULL,
	`sent_with` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`appeal_id`) REFERENCES `appeals`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `appeal_status_links_token` ON `appeal_status_links` (`token_hash`);--> statement-breakpoint
CREATE INDEX `appeal_status_links_appeal` ON `appeal_status_links` (`appeal_id`);--> statement-breakpoint
-- Existing links keep working: each appeal's one hash becomes its first link (the acknowledgement's).
-- Purged appeals keep none: a link ends with the appeal's retention.
INSERT INTO `appeal_status_links` (`appeal_id`, `token_hash`, `sent_with`, `created_at`) SELECT `id`, `status_token_hash`, 'appeal-ack', `received_at` FROM `appeals` WHERE `purged_at` IS NULL;--> statement-breakpoint
DROP INDEX `appeals_status_token`;--> statement-breakpoint
ALTER TABLE `appeals` DROP COLUMN `status_token_hash`;