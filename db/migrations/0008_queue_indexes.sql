CREATE INDEX `appeals_due` ON `appeals` (`due_at`);--> statement-breakpoint
CREATE INDEX `appeals_assignee_due` ON `appeals` (`assigned_to`,`due_at`);--> statement-breakpoint
CREATE INDEX `appeals_case` ON `appeals` (`case_id`);