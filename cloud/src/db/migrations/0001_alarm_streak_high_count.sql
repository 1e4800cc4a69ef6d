ALTER TABLE `alarm_streaks` ADD `high_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `alarm_events` DROP COLUMN `row_order`;--> statement-breakpoint
ALTER TABLE `alarm_notes` DROP COLUMN `row_order`;--> statement-breakpoint
ALTER TABLE `deliveries` DROP COLUMN `row_order`;