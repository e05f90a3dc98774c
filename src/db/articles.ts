import { and, asc, count, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client";
import { articles, articleTags, comments, favorites, follows, users } from "./schema";
import { followingExpr, userIdByKey } from "./users";

// The one article read model: get, list and feed all select through here, so a
// field or a per-viewer flag is computed the same way everywhere. Everything a
// row needs (author, tags, favorited, following) comes from the same statement,
// so a page costs one statement whatever its size.

export type ArticleFilter = {
  slug?: string;
  id?: number;
  tag?: string;
  authorKey?: string;
  authorId?: number;
  favoritedByKey?: string;
  feedOf?: number;
  /** The article a comment is on. */
  ofComment?: number;
};

/** An article named by its slug (REST, GraphQL) or by its id (JSON:API). */
export type ArticleRef = string | { id: number };

export const refFilter = (ref: ArticleRef): ArticleFilter => (typeof ref === "string" ? { slug: ref } : { id: ref.id });

/** The condition that selects the article `ref` names. */
export const articleWhere = (ref: ArticleRef): SQL =>
  typeof ref === "string" ? eq(articles.slug, ref) : eq(articles.id, ref.id);

/** The id of the article `ref` names: itself, or a subquery by slug. */
export const articleIdOf = (ref: ArticleRef): number | SQL =>
  typeof ref === "string" ? sql`(SELECT ${articles.id} FROM ${articles} WHERE ${articles.slug} = ${ref})` : ref.id;

/** Newest first (the RealWorld order, and the default) or oldest first; ids grow with creation time. */
export type ArticleOrder = "newest" | "oldest";

function whereOf(filter: ArticleFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.id !== undefined) conditions.push(eq(articles.id, filter.id));
  if (filter.slug !== undefined) conditions.push(eq(articles.slug, filter.slug));
  if (filter.tag !== undefined) {
    conditions.push(
      inArray(articles.id, sql`(SELECT ${articleTags.articleId} FROM ${articleTags} WHERE ${articleTags.tag} = ${filter.tag})`),
    );
  }
  if (filter.authorKey !== undefined) conditions.push(eq(articles.authorId, userIdByKey(filter.authorKey)));
  if (filter.authorId !== undefined) conditions.push(eq(articles.authorId, filter.authorId));
  if (filter.ofComment !== undefined) {
    conditions.push(
      eq(articles.id, sql`(SELECT ${comments.articleId} FROM ${comments} WHERE ${comments.id} = ${filter.ofComment})`),
    );
  }
  if (filter.favoritedByKey !== undefined) {
    conditions.push(
      inArray(
        articles.id,
        sql`(SELECT ${favorites.articleId} FROM ${favorites} WHERE ${favorites.userId} = ${userIdByKey(filter.favoritedByKey)})`,
      ),
    );
  }
  if (filter.feedOf !== undefined) {
    conditions.push(
      inArray(
        articles.authorId,
        sql`(SELECT ${follows.followeeId} FROM ${follows} WHERE ${follows.followerId} = ${filter.feedOf})`,
      ),
    );
  }
  return conditions.length ? and(...conditions) : undefined;
}

const listColumns = {
  id: articles.id,
  slug: articles.slug,
  title: articles.title,
  description: articles.description,
  createdAt: articles.createdAt,
  updatedAt: articles.updatedAt,
  favoritesCount: articles.favoritesCount,
  // Alphabetical (by code point), as the RealWorld reference implementations
  // and its Postman collection return tags, whatever order they were sent in.
  tagList:
    sql<string>`(SELECT json_group_array(tag) FROM (SELECT ${articleTags.tag} AS tag FROM ${articleTags} WHERE ${articleTags.articleId} = ${articles.id} ORDER BY ${articleTags.tag}))`.as(
      "tag_list",
    ),
  authorId: articles.authorId,
  authorUsername: users.username,
  authorBio: users.bio,
  authorImage: users.image,
};

function perViewerColumns(viewerId: number | null) {
  return {
    favorited:
      viewerId === null
        ? sql<number>`0`.as("favorited")
        : sql<number>`EXISTS (SELECT 1 FROM ${favorites} WHERE ${favorites.userId} = ${viewerId} AND ${favorites.articleId} = ${articles.id})`.as(
            "favorited",
          ),
    following: followingExpr(viewerId, articles.authorId),
  };
}

/** One article with its body (for get, and for the result of a write). */
export function selectArticle(db: Db, filter: ArticleFilter, viewerId: number | null) {
  return db
    .select({ ...listColumns, body: articles.body, ...perViewerColumns(viewerId) })
    .from(articles)
    .innerJoin(users, eq(users.id, articles.authorId))
    .where(whereOf(filter))
    .limit(1);
}

const orderOf = (order: ArticleOrder) => (order === "oldest" ? asc(articles.id) : desc(articles.id));

/** A page of articles, newest first unless asked otherwise, without bodies. */
export function selectArticlePage(
  db: Db,
  filter: ArticleFilter,
  page: { limit: number; offset: number },
  viewerId: number | null,
  order: ArticleOrder = "newest",
) {
  return db
    .select({ ...listColumns, ...perViewerColumns(viewerId) })
    .from(articles)
    .innerJoin(users, eq(users.id, articles.authorId))
    .where(whereOf(filter))
    .orderBy(orderOf(order))
    .limit(page.limit)
    .offset(page.offset);
}

/** The ids of the same page, as a subquery: to read what belongs to a page in the page's own batch. */
export function articlePageIds(db: Db, filter: ArticleFilter, page: { limit: number; offset: number }, order: ArticleOrder) {
  return db
    .select({ id: articles.id })
    .from(articles)
    .where(whereOf(filter))
    .orderBy(orderOf(order))
    .limit(page.limit)
    .offset(page.offset);
}

export function countArticles(db: Db, filter: ArticleFilter) {
  return db.select({ total: count() }).from(articles).where(whereOf(filter));
}

export type ArticleRow = Awaited<ReturnType<typeof selectArticlePage>>[number];
