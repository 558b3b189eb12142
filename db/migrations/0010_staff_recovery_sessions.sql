ALTER TABLE `staff` ADD `mfa_reset_at` integer;--> statement-breakpoint
ALTER TABLE `staff_sessions` ADD `client` text;--> statement-breakpoint
ALTER TABLE `totp_used_steps` ADD `used_for` text;