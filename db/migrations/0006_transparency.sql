CREATE INDEX `appeals_decided_figures` ON `appeals` (`decided_at`,`outcome`,`working_days_to_decision`);--> statement-breakpoint
CREATE INDEX `appeals_withdrawn` ON `appeals` (`withdrawn_at`);--> statement-breakpoint
CREATE INDEX `cases_figures` ON `cases` (`action_at`,`platform`,`detected_by`,`automated`);