CREATE TABLE `counters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `feed_entries` (
	`follower_id` integer NOT NULL,
	`article_id` integer NOT NULL,
	PRIMARY KEY(`follower_id`, `article_id`),
	FOREIGN KEY (`follower_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `feed_entries_article_idx` ON `feed_entries` (`article_id`);--> statement-breakpoint
CREATE TABLE `tags` (
	`tag` text PRIMARY KEY NOT NULL,
	`articles_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tags_ranking_idx` ON `tags` ("articles_count" DESC,`tag`);--> statement-breakpoint
ALTER TABLE `users` ADD `articles_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `favorites_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `feed_count` integer DEFAULT 0 NOT NULL;