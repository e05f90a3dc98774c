ALTER TABLE `articles` ADD `comments_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- How many comments each article has, kept by triggers like the other
-- counters (0002_counter_triggers.sql): a comment list's total is one row,
-- however many comments it has, while its pages are bounded.
UPDATE `articles` SET `comments_count` = (SELECT count(*) FROM `comments` WHERE `article_id` = `articles`.`id`);
--> statement-breakpoint
CREATE TRIGGER `comments_counted` AFTER INSERT ON `comments` BEGIN
  UPDATE `articles` SET `comments_count` = `comments_count` + 1 WHERE `id` = NEW.`article_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `comments_uncounted` AFTER DELETE ON `comments` BEGIN
  UPDATE `articles` SET `comments_count` = `comments_count` - 1 WHERE `id` = OLD.`article_id`;
END;
