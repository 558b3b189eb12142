CREATE TABLE `appeal_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`appeal_id` integer NOT NULL,
	`at` integer NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` integer,
	`kind` text NOT NULL,
	`body` text,
	`details` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`appeal_id`) REFERENCES `appeals`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `appeal_events_appeal` ON `appeal_events` (`appeal_id`,`at`);--> statement-breakpoint
CREATE TABLE `appeals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference` text NOT NULL,
	`status_token_hash` text NOT NULL,
	`case_id` integer,
	`claimed_platform` text,
	`claimed_handle` text,
	`claimed_date` text,
	`claimed_post_url` text,
	`reason` text,
	`email` text,
	`name` text,
	`status` text DEFAULT 'new' NOT NULL,
	`received_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`paused_at` integer,
	`assigned_to` integer,
	`outcome` text,
	`explanation` text,
	`decision_version_id` integer,
	`decided_by` integer,
	`decided_at` integer,
	`working_days_to_decision` integer,
	`withdrawn_at` integer,
	`purged_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decision_version_id`) REFERENCES `principle_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `appeals_reference` ON `appeals` (`reference`);--> statement-breakpoint
CREATE UNIQUE INDEX `appeals_status_token` ON `appeals` (`status_token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `appeals_one_open_per_case` ON `appeals` (`case_id`) WHERE "appeals"."case_id" is not null and "appeals"."status" not in ('decided', 'withdrawn');--> statement-breakpoint
CREATE INDEX `appeals_status_due` ON `appeals` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `appeals_assignee_status_due` ON `appeals` (`assigned_to`,`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `appeals_received` ON `appeals` (`received_at`);--> statement-breakpoint
CREATE INDEX `appeals_decided` ON `appeals` (`decided_at`);--> statement-breakpoint
CREATE TABLE `case_actions` (
	`case_id` integer NOT NULL,
	`action` text NOT NULL,
	PRIMARY KEY(`case_id`, `action`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_actions_action` ON `case_actions` (`action`);--> statement-breakpoint
CREATE TABLE `case_grounds` (
	`case_id` integer NOT NULL,
	`ground_code` text NOT NULL,
	PRIMARY KEY(`case_id`, `ground_code`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_grounds_code` ON `case_grounds` (`ground_code`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference` text NOT NULL,
	`platform` text NOT NULL,
	`account_handle` text,
	`post_url` text,
	`excerpt` text,
	`statement_of_reasons` text,
	`principle_version_id` integer NOT NULL,
	`action_at` integer NOT NULL,
	`detected_by` text NOT NULL,
	`automated` integer NOT NULL,
	`recorded_by` integer NOT NULL,
	`closed_at` integer,
	`purged_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`principle_version_id`) REFERENCES `principle_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_reference` ON `cases` (`reference`);--> statement-breakpoint
CREATE INDEX `cases_action_at` ON `cases` (`action_at`);--> statement-breakpoint
CREATE INDEX `cases_platform_action_at` ON `cases` (`platform`,`action_at`);--> statement-breakpoint
CREATE INDEX `cases_handle` ON `cases` (`account_handle`);--> statement-breakpoint
CREATE TABLE `follow_ups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`appeal_id` integer NOT NULL,
	`kind` text NOT NULL,
	`due_at` integer NOT NULL,
	`done_at` integer,
	`done_by` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`appeal_id`) REFERENCES `appeals`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `follow_ups_open` ON `follow_ups` (`done_at`,`due_at`);