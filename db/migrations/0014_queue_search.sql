DROP INDEX `appeals_status_due`;--> statement-breakpoint
DROP INDEX `appeals_assignee_status_due`;--> statement-breakpoint
DROP INDEX `appeals_due`;--> statement-breakpoint
DROP INDEX `appeals_assignee_due`;--> statement-breakpoint
CREATE INDEX `appeals_email` ON `appeals` (`email`);--> statement-breakpoint
CREATE INDEX `appeals_claimed_handle_key` ON `appeals` (lower("claimed_handle"));--> statement-breakpoint
CREATE INDEX `appeals_status_due` ON `appeals` (`status`,`due_at`,`received_at`);--> statement-breakpoint
CREATE INDEX `appeals_assignee_status_due` ON `appeals` (`assigned_to`,`status`,`due_at`,`received_at`);--> statement-breakpoint
CREATE INDEX `appeals_due` ON `appeals` (`due_at`,`received_at`);--> statement-breakpoint
CREATE INDEX `appeals_assignee_due` ON `appeals` (`assigned_to`,`due_at`,`received_at`);--> statement-breakpoint
CREATE INDEX `cases_handle_key` ON `cases` (lower("account_handle"));--> statement-breakpoint
CREATE INDEX `appeals_open_due` ON `appeals` (`due_at`,`received_at`) WHERE "appeals"."status" not in ('decided', 'withdrawn');--> statement-breakpoint
CREATE INDEX `appeals_open_assignee_due` ON `appeals` (`assigned_to`,`due_at`,`received_at`) WHERE "appeals"."status" not in ('decided', 'withdrawn');