CREATE TABLE `common_passwords` (
	`digest` text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
ALTER TABLE `users` ADD `username_skeleton` text;--> statement-breakpoint
-- The skeleton of every existing name spelt in ASCII letters, digits, '_', '.'
-- and '-' (src/db/skeleton.ts: for these characters table `confusables` says
-- 0 and O count as o, 1, I and L as l, m and M as rn, other letters as their
-- lowercase); when several such names share one, only the oldest account gets
-- it. Other names wait for `npm run db:upgrade` (README, "Security").
-- test/username.test.ts checks this expression against the table.
UPDATE `users` SET `username_skeleton` = `ascii`.`skeleton`
FROM (
	SELECT `id`, `skeleton`, row_number() OVER (PARTITION BY `skeleton` ORDER BY `id`) AS `rank`
	FROM (
		SELECT `id`, replace(lower(replace(replace(replace(`username`, '0', 'O'), '1', 'l'), 'I', 'l')), 'm', 'rn') AS `skeleton`
		FROM `users`
		WHERE `username` NOT GLOB '*[^-A-Za-z0-9_.]*'
	)
) AS `ascii`
WHERE `users`.`id` = `ascii`.`id` AND `ascii`.`rank` = 1;--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_skeleton_unique` ON `users` (`username_skeleton`);