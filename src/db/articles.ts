import { and, count, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { SelectedFields, SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { idKeyset, type PageWindow } from "./keyset";
import { articles, articleTags, comments, counters, favorites, feedEntries, tags, users } from "./schema";
import {
  articleSearch,
  countMatches,
  noRank,
  noSnippet,
  onSearchPage,
  rankedArticleIds,
  rankOrder,
  type SearchTerm,
  searchCondition,
  searchedArticle,
  searchRankColumn,
  searchSnippet,
} from "./search";
import { followingExpr, userIdByKey } from "./users";

// The one article read model: get, list and feed all select through here, so a
// field or a per-viewer flag is computed the same way everywhere. Everything a
// row needs (author, tags, favorited, following) comes from the same statement,
// so a page costs one statement whatever its size.
//
// Rows read follow the page, not the table: a list is read from the index
// that holds exactly its members, in order (the tag's entries for a tag, the
// user's favorites, the reader's feed entries, the author's articles), so it
// stops after one page; and its total is a maintained counter (one row), not a
// count of every match (migrations/0002_counter_triggers.sql).

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
  /** Articles whose text matches all the terms (src/db/search.ts). */
  search?: readonly SearchTerm[];
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

/**
 * Newest first (the RealWorld order, and the default) or oldest first; ids
 * grow with creation time. `relevance`: a search's best matches first, newest
 * first among equals (newest first when there is no search).
 */
export type ArticleOrder = "newest" | "oldest" | "relevance";

/**
 * The table a list is read from, and its article id column: the narrowest
 * index that holds the list's members in id order. Other filters are checked
 * on the rows it yields.
 */
type Source =
  | { kind: "feed"; id: SQLiteColumn; where: SQL }
  | { kind: "favorites"; id: SQLiteColumn; where: SQL }
  | { kind: "tag"; id: SQLiteColumn; where: SQL }
  | { kind: "articles"; id: SQLiteColumn; where: SQL | undefined };

function sourceOf(filter: ArticleFilter): Source {
  if (filter.feedOf !== undefined) {
    return { kind: "feed", id: feedEntries.articleId, where: eq(feedEntries.followerId, filter.feedOf) };
  }
  if (filter.favoritedByKey !== undefined) {
    return { kind: "favorites", id: favorites.articleId, where: eq(favorites.userId, userIdByKey(filter.favoritedByKey)) };
  }
  if (filter.tag !== undefined) return { kind: "tag", id: articleTags.articleId, where: eq(articleTags.tag, filter.tag) };
  return { kind: "articles", id: articles.id, where: undefined };
}

/** The conditions on the article itself (the source's own condition aside). */
function articleConditions(filter: ArticleFilter, source: Source): SQL[] {
  const conditions: SQL[] = [];
  if (filter.id !== undefined) conditions.push(eq(articles.id, filter.id));
  if (filter.slug !== undefined) conditions.push(eq(articles.slug, filter.slug));
  if (filter.authorKey !== undefined) conditions.push(eq(articles.authorId, userIdByKey(filter.authorKey)));
  if (filter.authorId !== undefined) conditions.push(eq(articles.authorId, filter.authorId));
  if (filter.ofComment !== undefined) {
    conditions.push(
      eq(articles.id, sql`(SELECT ${comments.articleId} FROM ${comments} WHERE ${comments.id} = ${filter.ofComment})`),
    );
  }
  // A second list filter is checked per row (combined filters are rare).
  if (filter.tag !== undefined && source.kind !== "tag") {
    conditions.push(
      inArray(articles.id, sql`(SELECT ${articleTags.articleId} FROM ${articleTags} WHERE ${articleTags.tag} = ${filter.tag})`),
    );
  }
  if (filter.favoritedByKey !== undefined && source.kind !== "favorites") {
    conditions.push(
      inArray(
        articles.id,
        sql`(SELECT ${favorites.articleId} FROM ${favorites} WHERE ${favorites.userId} = ${userIdByKey(filter.favoritedByKey)})`,
      ),
    );
  }
  if (filter.search !== undefined) conditions.push(searchCondition(filter.search));
  return conditions;
}

const ARTICLES: Source = { kind: "articles", id: articles.id, where: undefined };

/** The filter's conditions but the search, all on `articles`: what a read through the search table adds to its MATCH. */
const besidesSearch = ({ search: _search, ...filter }: ArticleFilter) => and(...articleConditions(filter, ARTICLES));

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
  const source = sourceOf(filter);
  return db
    .select({ ...listColumns, body: articles.body, commentsCount: articles.commentsCount, ...perViewerColumns(viewerId) })
    .from(articles)
    .innerJoin(users, eq(users.id, articles.authorId))
    .where(and(source.where, ...articleConditions(filter, source)))
    .limit(1);
}

/**
 * A select of `columns` from the list's source joined to its articles: the
 * source leads, so SQLite walks its index in the list's order.
 */
function fromSource<Columns extends SelectedFields>(db: Db, source: Source, columns: Columns) {
  const select = db.select(columns);
  switch (source.kind) {
    case "feed":
      return select.from(feedEntries).$dynamic().innerJoin(articles, eq(articles.id, feedEntries.articleId));
    case "favorites":
      return select.from(favorites).$dynamic().innerJoin(articles, eq(articles.id, favorites.articleId));
    case "tag":
      return select.from(articleTags).$dynamic().innerJoin(articles, eq(articles.id, articleTags.articleId));
    case "articles":
      return select.from(articles).$dynamic();
  }
}

/** The page's condition, order and offset in a list read from `source` in article id order. */
const keysetOf = (source: Source, order: ArticleOrder, page: PageWindow) => idKeyset(source.id, order !== "oldest", page);

/**
 * A page of articles, newest first unless asked otherwise, without bodies; a
 * search's with a snippet each. A page before a position comes nearest
 * first (src/db/keyset.ts).
 */
export function selectArticlePage(
  db: Db,
  filter: ArticleFilter,
  page: PageWindow,
  viewerId: number | null,
  order: ArticleOrder = "newest",
) {
  const columns = { ...listColumns, ...perViewerColumns(viewerId) };
  if (filter.search !== undefined) {
    // Through the search table, for the snippets: see src/db/search.ts.
    return db
      .select({ ...columns, snippet: searchSnippet, rank: searchRankColumn })
      .from(articleSearch)
      .innerJoin(articles, searchedArticle)
      .innerJoin(users, eq(users.id, articles.authorId))
      .where(onSearchPage(filter.search, articlePageIds(db, filter, page, order)))
      .orderBy(...(order === "relevance" ? rankOrder(page) : [keysetOf(ARTICLES, order, page).orderBy]));
  }
  const source = sourceOf(filter);
  const keyset = keysetOf(source, order, page);
  return fromSource(db, source, { ...columns, snippet: noSnippet, rank: noRank })
    .innerJoin(users, eq(users.id, articles.authorId))
    .where(and(source.where, ...articleConditions(filter, source), keyset.where))
    .orderBy(keyset.orderBy)
    .limit(page.limit)
    .offset(keyset.offset);
}

/** The ids of the same page, as a subquery: to read what belongs to a page in the page's own batch. */
export function articlePageIds(db: Db, filter: ArticleFilter, page: PageWindow, order: ArticleOrder) {
  if (filter.search !== undefined && order === "relevance") {
    return rankedArticleIds(db, filter.search, besidesSearch(filter), page);
  }
  const source = filter.search !== undefined ? ARTICLES : sourceOf(filter);
  const keyset = keysetOf(source, order, page);
  return fromSource(db, source, { id: articles.id })
    .where(and(source.where, ...articleConditions(filter, source), keyset.where))
    .orderBy(keyset.orderBy)
    .limit(page.limit)
    .offset(keyset.offset);
}

/**
 * How many articles a list has: one maintained counter for a list with one
 * filter (or none), no row when there is nothing to count; a count of the
 * source's rows for combined filters.
 */
export function countArticles(db: Db, filter: ArticleFilter) {
  // Matches are counted: no maintained counter can know them.
  if (filter.search !== undefined) return countMatches(db, filter.search, besidesSearch(filter));
  const filters = [filter.tag, filter.authorKey, filter.authorId, filter.favoritedByKey, filter.feedOf].filter(
    (value) => value !== undefined,
  );
  // A condition on the article itself (one slug, say) leaves no counter that knows the answer.
  const onArticle = filter.slug !== undefined || filter.id !== undefined || filter.ofComment !== undefined;
  if (filters.length === 0 && !onArticle) {
    return db.select({ total: counters.value }).from(counters).where(eq(counters.name, "articles"));
  }
  if (filters.length === 1 && !onArticle) {
    if (filter.tag !== undefined) return db.select({ total: tags.articlesCount }).from(tags).where(eq(tags.tag, filter.tag));
    const user =
      filter.feedOf !== undefined
        ? { total: users.feedCount, where: eq(users.id, filter.feedOf) }
        : filter.favoritedByKey !== undefined
          ? { total: users.favoritesCount, where: eq(users.usernameKey, filter.favoritedByKey) }
          : filter.authorId !== undefined
            ? { total: users.articlesCount, where: eq(users.id, filter.authorId) }
            : { total: users.articlesCount, where: eq(users.usernameKey, filter.authorKey ?? "") };
    return db.select({ total: user.total }).from(users).where(user.where);
  }
  const source = sourceOf(filter);
  return fromSource(db, source, { total: count() }).where(and(source.where, ...articleConditions(filter, source)));
}

export type ArticleRow = Awaited<ReturnType<typeof selectArticlePage>>[number];
