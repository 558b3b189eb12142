ALTER TABLE `cases` ADD `notice_sent_at` integer;--> statement-breakpoint
ALTER TABLE `cases` ADD `notice_method` text;--> statement-breakpoint
ALTER TABLE `cases` ADD `notice_not_sent_reason` text;--> statement-breakpoint
ALTER TABLE `cases` ADD `notice_recorded_at` integer;--> statement-breakpoint
ALTER TABLE `cases` ADD `notice_recorded_by` integer;