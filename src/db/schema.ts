import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Timestamps are integer milliseconds since the epoch (UTC); the API renders
// them as ISO 8601. Usernames and emails keep the spelling the user chose and a
// normalised `*_key` column that carries the case-insensitive uniqueness; a
// username also has a `username_skeleton` (src/db/skeleton.ts): names that
// look alike share it, and it is unique too.

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    username: text("username").notNull(),
    usernameKey: text("username_key").notNull(),
    // Null only for rows that predate it and wait for `npm run db:upgrade`
    // (README, "Security"); a unique index lets several nulls coexist.
    usernameSkeleton: text("username_skeleton"),
    email: text("email").notNull(),
    emailKey: text("email_key").notNull(),
    passwordHash: text("password_hash").notNull(),
    bio: text("bio"),
    image: text("image"),
    // Bumped on password change: tokens carry the version they were issued at.
    tokenVersion: integer("token_version").notNull().default(0),
    // Maintained by triggers (migrations/0002_counter_triggers.sql), so a list's total
    // is one row, not a count over every match: articles written, articles
    // favorited, and articles in the feed (by the authors followed).
    articlesCount: integer("articles_count").notNull().default(0),
    favoritesCount: integer("favorites_count").notNull().default(0),
    feedCount: integer("feed_count").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("users_username_key_unique").on(t.usernameKey),
    uniqueIndex("users_username_skeleton_unique").on(t.usernameSkeleton),
    uniqueIndex("users_email_key_unique").on(t.emailKey),
  ],
);

/**
 * Passwords found in breach corpora, as digests (src/domain/common-passwords.ts):
 * filled by a migration, looked up inside the round trip an operation that sets
 * a password already makes.
 */
export const commonPasswords = sqliteTable("common_passwords", {
  digest: text("digest").primaryKey(),
});

/**
 * What each character of a username counts as when names are compared by
 * look (src/db/skeleton.ts): its UTS #39 prototype, lowercased. Characters
 * that count as themselves have no row. Filled by a migration that
 * scripts/confusables.mjs writes; kept out of the Worker bundle.
 */
export const confusables = sqliteTable("confusables", {
  char: text("char").primaryKey(),
  prototype: text("prototype").notNull(),
});

export const follows = sqliteTable(
  "follows",
  {
    followerId: integer("follower_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    followeeId: integer("followee_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.followeeId] }),
    index("follows_followee_idx").on(t.followeeId),
    check("follows_not_self", sql`${t.followerId} <> ${t.followeeId}`),
  ],
);

export const articles = sqliteTable(
  "articles",
  {
    // Monotonic: the list order "newest first" is `id DESC`, served by the rowid.
    id: integer("id").primaryKey({ autoIncrement: true }),
    slug: text("slug").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull(),
    body: text("body").notNull(),
    authorId: integer("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // Maintained by the triggers on `favorites`.
    favoritesCount: integer("favorites_count").notNull().default(0),
    // Maintained by the triggers on `comments`.
    commentsCount: integer("comments_count").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("articles_slug_unique").on(t.slug), index("articles_author_idx").on(t.authorId, t.id)],
);

export const articleTags = sqliteTable(
  "article_tags",
  {
    articleId: integer("article_id")
      .notNull()
      .references(() => articles.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
    // The order the author gave, kept as written; tagList is read alphabetically (src/db/articles.ts).
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.tag] }), index("article_tags_tag_idx").on(t.tag, t.articleId)],
);

export const favorites = sqliteTable(
  "favorites",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    articleId: integer("article_id")
      .notNull()
      .references(() => articles.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.articleId] }), index("favorites_article_idx").on(t.articleId)],
);

export const comments = sqliteTable(
  "comments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    articleId: integer("article_id")
      .notNull()
      .references(() => articles.id, { onDelete: "cascade" }),
    authorId: integer("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("comments_article_idx").on(t.articleId, t.id), index("comments_author_idx").on(t.authorId)],
);

/**
 * Every tag in use and how many articles carry it (kept by the triggers on
 * `article_tags`): GET /tags reads its first rows from the ranking index.
 */
export const tags = sqliteTable(
  "tags",
  {
    tag: text("tag").primaryKey(),
    articlesCount: integer("articles_count").notNull().default(0),
  },
  (t) => [index("tags_ranking_idx").on(sql`${t.articlesCount} DESC`, t.tag)],
);

/** Site-wide totals kept by triggers: `articles` is how many articles exist. */
export const counters = sqliteTable("counters", {
  name: text("name").primaryKey(),
  value: integer("value").notNull().default(0),
});

/**
 * Each user's feed, written ahead (by the triggers on `articles` and
 * `follows`): one row per article by an author the user follows, so a feed
 * page reads its own rows, not the whole follow list.
 */
export const feedEntries = sqliteTable(
  "feed_entries",
  {
    followerId: integer("follower_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    articleId: integer("article_id")
      .notNull()
      .references(() => articles.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.followerId, t.articleId] }), index("feed_entries_article_idx").on(t.articleId)],
);
