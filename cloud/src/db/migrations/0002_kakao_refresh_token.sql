ALTER TABLE `users` ADD `kakao_refresh_token` text;--> statement-breakpoint
ALTER TABLE `users` ADD `kakao_token_expires_at` integer;