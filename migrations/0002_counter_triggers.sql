-- Totals and feeds kept as data, so that a read costs rows in proportion to
-- the page it answers, not to the table (README, "Costs"). Triggers keep
-- them exact: they run inside the statement that changes the rows, so every
-- write path (and every cascade of a delete) is covered, and concurrent
-- writes cannot lose an update.

-- What exists today, counted once.
INSERT INTO `counters` (`name`, `value`) SELECT 'articles', count(*) FROM `articles`;
--> statement-breakpoint
INSERT INTO `tags` (`tag`, `articles_count`) SELECT `tag`, count(*) FROM `article_tags` GROUP BY `tag`;
--> statement-breakpoint
UPDATE `users` SET
  `articles_count` = (SELECT count(*) FROM `articles` WHERE `author_id` = `users`.`id`),
  `favorites_count` = (SELECT count(*) FROM `favorites` WHERE `user_id` = `users`.`id`);
--> statement-breakpoint
UPDATE `articles` SET `favorites_count` = (SELECT count(*) FROM `favorites` WHERE `article_id` = `articles`.`id`);
--> statement-breakpoint
INSERT INTO `feed_entries` (`follower_id`, `article_id`)
  SELECT `follows`.`follower_id`, `articles`.`id` FROM `follows` JOIN `articles` ON `articles`.`author_id` = `follows`.`followee_id`;
--> statement-breakpoint
UPDATE `users` SET `feed_count` = (SELECT count(*) FROM `feed_entries` WHERE `follower_id` = `users`.`id`);
--> statement-breakpoint

-- Favorites: the article's count and the user's.
CREATE TRIGGER `favorites_counted` AFTER INSERT ON `favorites` BEGIN
  UPDATE `articles` SET `favorites_count` = `favorites_count` + 1 WHERE `id` = NEW.`article_id`;
  UPDATE `users` SET `favorites_count` = `favorites_count` + 1 WHERE `id` = NEW.`user_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `favorites_uncounted` AFTER DELETE ON `favorites` BEGIN
  UPDATE `articles` SET `favorites_count` = `favorites_count` - 1 WHERE `id` = OLD.`article_id`;
  UPDATE `users` SET `favorites_count` = `favorites_count` - 1 WHERE `id` = OLD.`user_id`;
END;
--> statement-breakpoint

-- Tags: how many articles carry each; a tag no article carries is gone.
CREATE TRIGGER `article_tags_counted` AFTER INSERT ON `article_tags` BEGIN
  INSERT OR IGNORE INTO `tags` (`tag`, `articles_count`) VALUES (NEW.`tag`, 0);
  UPDATE `tags` SET `articles_count` = `articles_count` + 1 WHERE `tag` = NEW.`tag`;
END;
--> statement-breakpoint
CREATE TRIGGER `article_tags_uncounted` AFTER DELETE ON `article_tags` BEGIN
  UPDATE `tags` SET `articles_count` = `articles_count` - 1 WHERE `tag` = OLD.`tag`;
  DELETE FROM `tags` WHERE `tag` = OLD.`tag` AND `articles_count` <= 0;
END;
--> statement-breakpoint

-- Articles: the site's total, the author's, and the feeds of the author's followers.
CREATE TRIGGER `articles_counted` AFTER INSERT ON `articles` BEGIN
  UPDATE `counters` SET `value` = `value` + 1 WHERE `name` = 'articles';
  UPDATE `users` SET `articles_count` = `articles_count` + 1 WHERE `id` = NEW.`author_id`;
  INSERT INTO `feed_entries` (`follower_id`, `article_id`)
    SELECT `follower_id`, NEW.`id` FROM `follows` WHERE `followee_id` = NEW.`author_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `articles_uncounted` AFTER DELETE ON `articles` BEGIN
  UPDATE `counters` SET `value` = `value` - 1 WHERE `name` = 'articles';
  UPDATE `users` SET `articles_count` = `articles_count` - 1 WHERE `id` = OLD.`author_id`;
END;
--> statement-breakpoint

-- Feeds: each entry counts in its follower's total. (An article's delete
-- removes its entries by cascade, which runs these too.)
CREATE TRIGGER `feed_entries_counted` AFTER INSERT ON `feed_entries` BEGIN
  UPDATE `users` SET `feed_count` = `feed_count` + 1 WHERE `id` = NEW.`follower_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `feed_entries_uncounted` AFTER DELETE ON `feed_entries` BEGIN
  UPDATE `users` SET `feed_count` = `feed_count` - 1 WHERE `id` = OLD.`follower_id`;
END;
--> statement-breakpoint

-- Following someone brings their articles into the feed; unfollowing takes them out.
CREATE TRIGGER `follows_fed` AFTER INSERT ON `follows` BEGIN
  INSERT INTO `feed_entries` (`follower_id`, `article_id`)
    SELECT NEW.`follower_id`, `id` FROM `articles` WHERE `author_id` = NEW.`followee_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `follows_unfed` AFTER DELETE ON `follows` BEGIN
  DELETE FROM `feed_entries` WHERE `follower_id` = OLD.`follower_id`
    AND `article_id` IN (SELECT `id` FROM `articles` WHERE `author_id` = OLD.`followee_id`);
END;
