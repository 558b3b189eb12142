CREATE TABLE `appeal_tallies` (
	`status` text NOT NULL,
	`assignee` integer NOT NULL,
	`n` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`status`, `assignee`)
);
--> statement-breakpoint
CREATE TABLE `transparency_tallies` (
	`month` integer NOT NULL,
	`measure` text NOT NULL,
	`category` text NOT NULL,
	`days` integer NOT NULL,
	`n` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`month`, `measure`, `category`, `days`)
);
