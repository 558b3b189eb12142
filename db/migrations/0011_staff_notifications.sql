CREATE TABLE `appeal_escalations` (
	`appeal_id` integer PRIMARY KEY NOT NULL,
	`escalated_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`appeal_id`) REFERENCES `appeals`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `safeguarding_concerns` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer,
	`appeal_id` integer,
	`note` text,
	`raised_by` integer NOT NULL,
	`raised_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`appeal_id`) REFERENCES `appeals`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "safeguarding_one_subject" CHECK(("safeguarding_concerns"."case_id" is null) <> ("safeguarding_concerns"."appeal_id" is null))
);
--> statement-breakpoint
CREATE INDEX `safeguarding_case` ON `safeguarding_concerns` (`case_id`);--> statement-breakpoint
CREATE INDEX `safeguarding_appeal` ON `safeguarding_concerns` (`appeal_id`);--> statement-breakpoint
CREATE TABLE `staff_digests` (
	`day` text PRIMARY KEY NOT NULL,
	`decided_at` integer NOT NULL,
	`emails` integer NOT NULL,
	`items` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
