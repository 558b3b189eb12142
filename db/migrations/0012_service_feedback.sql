CREATE TABLE `service_feedback` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rating` text NOT NULL,
	`comment` text,
	`from_page` text,
	`given_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	CONSTRAINT "service_feedback_rating" CHECK("service_feedback"."rating" in ('very-satisfied', 'satisfied', 'neither', 'dissatisfied', 'very-dissatisfied'))
);
--> statement-breakpoint
CREATE INDEX `service_feedback_given` ON `service_feedback` (`given_at`);