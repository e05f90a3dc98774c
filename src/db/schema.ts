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
    // Recomputed from `favorites` inside the same batch as every favorite change.
    favoritesCount: integer("favorites_count").notNull().default(0),
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
    // Keeps tagList in the order the author gave it.
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
