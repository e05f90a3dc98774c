-- Full-text search over articles (src/db/search.ts reads it). drizzle's
-- schema cannot declare a virtual table, so this migration is written by hand
-- (`drizzle-kit generate --custom`) and the schema snapshot is unchanged.
--
-- One row per article, rowid = articles.id, holding its own copy of the text
-- (snippet() needs it, and a row can then be deleted or rewritten without
-- knowing what was indexed before). Tokenizer: unicode61 folds case and, with
-- remove_diacritics 2, accents (café = cafe = CAFÉ, decomposed or not); words
-- of every script that separates words (Latin, Cyrillic, Greek, Arabic,
-- Hebrew, Korean, and CJK text written with spaces or punctuation, as in
-- "你好 世界") are tokens; emoji and other symbols separate words. README
-- "Search" says why not trigram.
CREATE VIRTUAL TABLE `article_search` USING fts5(title, description, body, tags, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
-- Articles that existed before this migration.
INSERT INTO `article_search` (rowid, title, description, body, tags)
  SELECT `id`, `title`, `description`, `body`,
    coalesce((SELECT group_concat(`tag`, ' ') FROM (SELECT `tag` FROM `article_tags` WHERE `article_tags`.`article_id` = `articles`.`id` ORDER BY `position`)), '')
  FROM `articles`;
--> statement-breakpoint
-- Kept exact by triggers, so every write path (the domain's batches, the seed,
-- a console) updates the index in the same transaction as the row; the domain
-- code does not know the index exists. A new article has no tags yet: its
-- tags arrive as article_tags rows, each of which rewrites the `tags` column.
CREATE TRIGGER `article_search_insert` AFTER INSERT ON `articles` BEGIN
  INSERT INTO `article_search` (rowid, title, description, body, tags) VALUES (new.`id`, new.`title`, new.`description`, new.`body`, '');
END;
--> statement-breakpoint
-- Only when the text changes: a favorite or a retag sets other columns (UPDATE OF), and an
-- update that sends a field unchanged sets it to itself (WHEN); neither re-indexes the body.
CREATE TRIGGER `article_search_update` AFTER UPDATE OF `title`, `description`, `body` ON `articles`
  WHEN old.`title` IS NOT new.`title` OR old.`description` IS NOT new.`description` OR old.`body` IS NOT new.`body`
BEGIN
  UPDATE `article_search` SET title = new.`title`, description = new.`description`, body = new.`body` WHERE rowid = new.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `article_search_delete` AFTER DELETE ON `articles` BEGIN
  DELETE FROM `article_search` WHERE rowid = old.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `article_search_tag_insert` AFTER INSERT ON `article_tags` BEGIN
  UPDATE `article_search`
    SET tags = coalesce((SELECT group_concat(`tag`, ' ') FROM (SELECT `tag` FROM `article_tags` WHERE `article_id` = new.`article_id` ORDER BY `position`)), '')
    WHERE rowid = new.`article_id`;
END;
--> statement-breakpoint
-- Skipped while an article's delete cascades to its tags: its row is gone already.
CREATE TRIGGER `article_search_tag_delete` AFTER DELETE ON `article_tags`
  WHEN EXISTS (SELECT 1 FROM `articles` WHERE `id` = old.`article_id`)
BEGIN
  UPDATE `article_search`
    SET tags = coalesce((SELECT group_concat(`tag`, ' ') FROM (SELECT `tag` FROM `article_tags` WHERE `article_id` = old.`article_id` ORDER BY `position`)), '')
    WHERE rowid = old.`article_id`;
END;
--> statement-breakpoint
-- The API never changes a tag row in place (a retag deletes and inserts), but the index stays exact if anything does.
CREATE TRIGGER `article_search_tag_update` AFTER UPDATE ON `article_tags` BEGIN
  UPDATE `article_search`
    SET tags = coalesce((SELECT group_concat(`tag`, ' ') FROM (SELECT `tag` FROM `article_tags` WHERE `article_id` = old.`article_id` ORDER BY `position`)), '')
    WHERE rowid = old.`article_id`;
  UPDATE `article_search`
    SET tags = coalesce((SELECT group_concat(`tag`, ' ') FROM (SELECT `tag` FROM `article_tags` WHERE `article_id` = new.`article_id` ORDER BY `position`)), '')
    WHERE rowid = new.`article_id`;
END;
