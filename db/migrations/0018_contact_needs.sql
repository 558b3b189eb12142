ALTER TABLE `appeals` ADD `asking_for` text;--> statement-breakpoint
ALTER TABLE `appeals` ADD `asking_relationship` text;--> statement-breakpoint
ALTER TABLE `appeals` ADD `asking_for_name` text;--> statement-breakpoint
ALTER TABLE `appeals` ADD `asking_consent` integer;--> statement-breakpoint
ALTER TABLE `appeals` ADD `contact_needs` text;--> statement-breakpoint
ALTER TABLE `appeals` ADD `contact_address` text;--> statement-breakpoint
ALTER TABLE `appeals` ADD `contact_phone` text;--> statement-breakpoint
ALTER TABLE `appeals` ADD `contact_other` text;