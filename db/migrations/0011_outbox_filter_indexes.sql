CREATE INDEX `outbox_kind` ON `outbox` (`kind`,`id`);--> statement-breakpoint
CREATE INDEX `outbox_created` ON `outbox` (`created_at`);