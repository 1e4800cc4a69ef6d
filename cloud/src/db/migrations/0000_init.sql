CREATE TABLE `alarm_events` (
	`id` text PRIMARY KEY NOT NULL,
	`alarm_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`severity` text NOT NULL,
	`data` text NOT NULL,
	`row_order` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alarm_events_alarm_idx` ON `alarm_events` (`alarm_id`);--> statement-breakpoint
CREATE TABLE `alarm_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`alarm_id` text NOT NULL,
	`author_id` text NOT NULL,
	`text` text NOT NULL,
	`created_at` integer NOT NULL,
	`row_order` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alarm_notes_alarm_idx` ON `alarm_notes` (`alarm_id`);--> statement-breakpoint
CREATE TABLE `alarm_streaks` (
	`device_id` text NOT NULL,
	`type` text NOT NULL,
	`count` integer NOT NULL,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	`max_score` real NOT NULL,
	PRIMARY KEY(`device_id`, `type`)
);
--> statement-breakpoint
CREATE TABLE `alarms` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`device_id` text NOT NULL,
	`machine_id` text,
	`type` text NOT NULL,
	`severity` text NOT NULL,
	`status` text NOT NULL,
	`acknowledged` integer NOT NULL,
	`ack_by` text,
	`ack_at` integer,
	`assignee_id` text,
	`opened_at` integer NOT NULL,
	`cleared_at` integer,
	`cleared_by` text,
	`last_event_at` integer NOT NULL,
	`cooldown_until` integer,
	`title` text NOT NULL,
	`detail` text NOT NULL,
	`active_key` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alarms_active_uq` ON `alarms` (`active_key`);--> statement-breakpoint
CREATE INDEX `alarms_org_idx` ON `alarms` (`org_id`,`last_event_at`);--> statement-breakpoint
CREATE INDEX `alarms_device_type_idx` ON `alarms` (`device_id`,`type`,`opened_at`);--> statement-breakpoint
CREATE TABLE `clip_labels` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`clip_id` text NOT NULL,
	`org_id` text NOT NULL,
	`user_id` text NOT NULL,
	`label` text NOT NULL,
	`note` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `clip_labels_clip_idx` ON `clip_labels` (`clip_id`);--> statement-breakpoint
CREATE TABLE `clips` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`device_id` text NOT NULL,
	`machine_id` text NOT NULL,
	`t` integer NOT NULL,
	`edge_score` real NOT NULL,
	`encoding` text NOT NULL,
	`samples` integer NOT NULL,
	`sample_rate` integer NOT NULL,
	`sha256` text NOT NULL,
	`source` text DEFAULT 'device' NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `clips_machine_idx` ON `clips` (`machine_id`,`t`);--> statement-breakpoint
CREATE INDEX `clips_org_idx` ON `clips` (`org_id`);--> statement-breakpoint
CREATE TABLE `cloud_verdicts` (
	`clip_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`score` real NOT NULL,
	`state` text NOT NULL,
	`fault_type` text,
	`fault_confidence` real,
	`explanation` text NOT NULL,
	`detectors` text NOT NULL,
	`version` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `data_loss` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` text NOT NULL,
	`device_id` text NOT NULL,
	`boot_id` text NOT NULL,
	`from_seq` integer NOT NULL,
	`to_seq` integer NOT NULL,
	`detected_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `data_loss_device_idx` ON `data_loss` (`device_id`,`boot_id`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`dedupe_key` text NOT NULL,
	`org_id` text NOT NULL,
	`alarm_id` text NOT NULL,
	`alarm_event_id` text NOT NULL,
	`user_id` text NOT NULL,
	`channel` text NOT NULL,
	`target` text NOT NULL,
	`message` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`attempts` integer NOT NULL,
	`next_attempt_at` integer,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`provider_message_id` text,
	`log` text NOT NULL,
	`row_order` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_dedupe_uq` ON `deliveries` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `deliveries_due_idx` ON `deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `deliveries_alarm_idx` ON `deliveries` (`alarm_id`);--> statement-breakpoint
CREATE TABLE `device_boots` (
	`device_id` text NOT NULL,
	`boot_id` text NOT NULL,
	`max_seq` integer NOT NULL,
	`first_seen_at` integer NOT NULL,
	PRIMARY KEY(`device_id`, `boot_id`)
);
--> statement-breakpoint
CREATE TABLE `device_messages` (
	`device_id` text NOT NULL,
	`boot_id` text NOT NULL,
	`seq` integer NOT NULL,
	`kind` text NOT NULL,
	`clip_id` text,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`device_id`, `boot_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`machine_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`decommissioned_at` integer,
	`last_seen` integer,
	`online` integer DEFAULT false NOT NULL,
	`firmware` text,
	`model_sha256` text,
	`rssi` integer,
	`free_heap` integer,
	`outbox_depth` integer,
	`uptime_s` integer,
	`last_score` real,
	`last_state` text,
	`last_window_at` integer,
	`alert_threshold` real,
	`borderline_low` real,
	`cadence_s` integer,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `devices_token_uq` ON `devices` (`token_hash`);--> statement-breakpoint
CREATE INDEX `devices_org_idx` ON `devices` (`org_id`);--> statement-breakpoint
CREATE INDEX `devices_machine_idx` ON `devices` (`machine_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` text NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_org_id_idx` ON `events` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `invitations` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`created_by` text NOT NULL,
	`expires_at` integer NOT NULL,
	`accepted_at` integer,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `machines` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`site_id` text NOT NULL,
	`name` text NOT NULL,
	`compressor_type` text NOT NULL,
	`location` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `machines_org_idx` ON `machines` (`org_id`);--> statement-breakpoint
CREATE TABLE `orgs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `password_resets` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `push_subscriptions` (
	`endpoint` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`p256dh` text NOT NULL,
	`auth` text NOT NULL,
	`expiration_time` integer,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `push_subscriptions_user_idx` ON `push_subscriptions` (`user_id`);--> statement-breakpoint
CREATE TABLE `rescore_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`clip_id` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rescore_jobs_status_idx` ON `rescore_jobs` (`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `rescore_jobs_clip_uq` ON `rescore_jobs` (`clip_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`csrf_token` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sites_org_name_uq` ON `sites` (`org_id`,`name`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text,
	`role` text NOT NULL,
	`locale` text DEFAULT 'ko' NOT NULL,
	`phone` text,
	`preferences` text,
	`kakao_id` text,
	`kakao_access_token` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_uq` ON `users` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_kakao_uq` ON `users` (`kakao_id`);--> statement-breakpoint
CREATE INDEX `users_org_idx` ON `users` (`org_id`);--> statement-breakpoint
CREATE TABLE `verdict_rollups` (
	`machine_id` text NOT NULL,
	`res` text NOT NULL,
	`start` integer NOT NULL,
	`org_id` text NOT NULL,
	`n` integer NOT NULL,
	`sum` real NOT NULL,
	`max` real NOT NULL,
	`worst` integer NOT NULL,
	PRIMARY KEY(`machine_id`, `res`, `start`)
);
--> statement-breakpoint
CREATE TABLE `verdict_windows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` text NOT NULL,
	`device_id` text NOT NULL,
	`machine_id` text NOT NULL,
	`t` integer NOT NULL,
	`score` real NOT NULL,
	`state` text NOT NULL,
	`level_db` real NOT NULL,
	`boot_id` text NOT NULL,
	`seq` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `verdict_windows_machine_t_idx` ON `verdict_windows` (`machine_id`,`t`);--> statement-breakpoint
CREATE INDEX `verdict_windows_t_idx` ON `verdict_windows` (`t`);