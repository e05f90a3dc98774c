import { and, eq, inArray, ne, not, sql } from "drizzle-orm";
import * as v from "valibot";
import {
  type ArticleFilter,
  type ArticleOrder,
  type ArticleRef,
  articleIdOf,
  articlePageIds,
  articleWhere,
  countArticles,
  refFilter,
  selectArticle,
  selectArticlePage,
} from "../db/articles";
import { Batch } from "../db/batch";
import { type CommentRow, selectCommentPages } from "../db/comments";
import { isForeignKeyViolation, isUniqueViolation } from "../db/errors";
import { articles, articleTags, favorites, users } from "../db/schema";
import { selectProfile } from "../db/users";
import type { Context, Scope } from "./context";
import { type PageCursors, type Position, pageOf, pageStartOf, windowOf } from "./cursor";
import { forbidden, found, notFound } from "./errors";
import {
  type ArticleChangesInput,
  type ArticleQueryInput,
  type CommentPageInput,
  CommentPageQuery,
  type NewArticleInput,
  type PageInput,
  usernameKey,
} from "./inputs";
import { articleScopes, commentScopes, listScopes, membershipScopes } from "./scopes";
import { searchTerms } from "./search";
import { slugify, withUniqueSuffix } from "./slug";
import { ViewerBatch } from "./viewer";
import {
  type ArticlePageView,
  type ArticleSummaryView,
  type ArticleView,
  articleSummaryView,
  articleView,
  type CommentView,
  commentView,
  type ProfileView,
  profileView,
} from "./views";

// Slugs that a route already owns: `/articles/feed` is the feed.
const RESERVED_SLUGS = new Set(["feed"]);

const filterOf = (query: ArticleQueryInput): ArticleFilter => ({
  ...(query.tag === undefined ? {} : { tag: query.tag }),
  ...(query.author === undefined ? {} : { authorKey: usernameKey(query.author) }),
  ...(query.favorited === undefined ? {} : { favoritedByKey: usernameKey(query.favorited) }),
  // A blank search is no search: an emptied search box lists everything.
  ...(query.search === undefined || query.search === "" ? {} : { search: searchTerms(query.search) }),
  ...(query.slug === undefined ? {} : { slug: query.slug }),
});

/** A page of articles and where it sits in its list (its cursors). */
export type ArticlePage = ArticlePageView & { page: PageCursors };

// Round trips: 1 (count and page in one batch).
export async function listArticles(ctx: Context, query: ArticleQueryInput): Promise<ArticlePage> {
  const { articles, articlesCount, page } = await readListing(ctx, filterOf(query), query, false);
  return { articles, articlesCount, page };
}

// Round trips: 1.
export async function feed(ctx: Context, query: PageInput): Promise<ArticlePage> {
  const { articles, articlesCount, page } = await readListing(ctx, { feedOf: ctx.viewer?.userId ?? 0 }, query, true);
  return { articles, articlesCount, page };
}

/** What a listing can carry besides the page (JSON:API asks for these). */
export type ListingOptions = {
  order?: ArticleOrder;
  /** Only this author's articles; an unknown author is a 404. */
  authorId?: number;
  /** The newest comments of every article on the page (INCLUDED_COMMENTS each), read in the page's own batch. */
  withComments?: boolean;
};

/** How many of its newest comments each article of a listing carries when they are asked for. */
export const INCLUDED_COMMENTS = 5;

/** A page with the comments of its articles (by article id) when they were asked for. */
export type ArticleListing = ArticlePage & { comments: Map<number, CommentView[]> };

// Round trips: 1 (page, count and what the options ask for, in one batch).
export async function articleListing(ctx: Context, query: ArticleQueryInput, options: ListingOptions): Promise<ArticleListing> {
  const filter = { ...filterOf(query), ...(options.authorId === undefined ? {} : { authorId: options.authorId }) };
  return readListing(ctx, filter, query, false, options);
}

// Round trips: 1.
export async function feedListing(
  ctx: Context,
  page: PageInput,
  options: Omit<ListingOptions, "authorId">,
): Promise<ArticleListing> {
  return readListing(ctx, { feedOf: ctx.viewer?.userId ?? 0 }, page, true, options);
}

/** The list a cursor belongs to: articles in one order (a cursor of one order means nothing in another). */
export const articleList = (order: ArticleOrder) => `articles:${order}`;

async function readListing(
  ctx: Context,
  filter: ArticleFilter,
  query: PageInput,
  signedIn: boolean,
  options: ListingOptions = {},
): Promise<ArticleListing> {
  const viewerId = ctx.viewer?.userId ?? null;
  // A search lists its best matches first unless asked otherwise.
  const order = options.order ?? (filter.search === undefined ? "newest" : "relevance");
  const start = await pageStartOf(ctx, articleList(order), query);
  const window = windowOf(start);
  const batch = new ViewerBatch(ctx);
  const rows = batch.add(selectArticlePage(ctx.db, filter, window, viewerId, order));
  const counted = batch.add(countArticles(ctx.db, filter));
  const commentRows = options.withComments
    ? batch.add(
        selectCommentPages(
          ctx.db,
          inArray(articles.id, articlePageIds(ctx.db, filter, window, order)),
          { limit: INCLUDED_COMMENTS, offset: 0 },
          viewerId,
        ),
      )
    : null;
  const author =
    options.authorId === undefined
      ? null
      : batch.add(ctx.db.select({ usernameKey: users.usernameKey }).from(users).where(eq(users.id, options.authorId)));
  if (signedIn) await batch.runSignedIn();
  else await batch.run();
  const authorKey = author ? found(author(), "profile").usernameKey : undefined;
  const articlesCount = counted()[0]?.total ?? 0;
  const listed = await pageOf(ctx, articleList(order), start, rows(), positionIn(order), articlesCount);
  ctx.shown(
    ...listScopes(filter, authorKey),
    ...listed.rows.flatMap(articleScopes),
    ...(commentRows?.() ?? []).flatMap(commentScopes),
  );
  return {
    articles: listed.rows.map(articleSummaryView),
    articlesCount,
    page: listed.page,
    comments: commentsByArticle(commentRows?.() ?? []),
  };
}

/** An article's position in a list: its id, and in a ranked search its score. */
const positionIn =
  (order: ArticleOrder) =>
  (row: { id: number; rank: number | null }): Position =>
    order === "relevance" && row.rank !== null ? { id: row.id, rank: row.rank } : { id: row.id };

/** How many articles a syndication feed carries: the newest ones, never more. */
export const FEED_ENTRIES = 20;

// Feeds read articles as an anonymous reader sees them (no favorited or
// following flags), so every caller gets the same feed; a token is still
// checked, as on every route.
const newestPage = (ctx: Context, filter: ArticleFilter) =>
  selectArticlePage(ctx.db, filter, { limit: FEED_ENTRIES, offset: 0 }, null);

// Round trips: 1.
export async function newestArticles(ctx: Context, filter: { tag?: string }): Promise<ArticleSummaryView[]> {
  const batch = new ViewerBatch(ctx);
  const listed: ArticleFilter = filter.tag === undefined ? {} : { tag: filter.tag };
  const rows = batch.add(newestPage(ctx, listed));
  await batch.run();
  ctx.shown(...listScopes(listed), ...rows().flatMap(articleScopes));
  return rows().map(articleSummaryView);
}

// Round trips: 1 (the author and their articles in one batch).
export async function newestArticlesBy(
  ctx: Context,
  username: string,
  filter: { tag?: string },
): Promise<{ author: ProfileView; articles: ArticleSummaryView[] }> {
  const authorKey = usernameKey(username);
  const batch = new ViewerBatch(ctx);
  const authors = batch.add(selectProfile(ctx.db, authorKey, null));
  const listed: ArticleFilter = { ...(filter.tag === undefined ? {} : { tag: filter.tag }), authorKey };
  const rows = batch.add(newestPage(ctx, listed));
  await batch.run();
  const author = found(authors(), "profile");
  ctx.shown(...listScopes(listed), { kind: "user", id: author.id }, ...rows().flatMap(articleScopes));
  return { author: profileView(author, false, author.id), articles: rows().map(articleSummaryView) };
}

function commentsByArticle(rows: CommentRow[]): Map<number, CommentView[]> {
  const byArticle = new Map<number, CommentView[]>();
  for (const row of rows) byArticle.set(row.articleId, [...(byArticle.get(row.articleId) ?? []), commentView(row)]);
  return byArticle;
}

// Round trips: 1.
export async function getArticle(ctx: Context, ref: ArticleRef): Promise<ArticleView> {
  const batch = new ViewerBatch(ctx);
  const rows = batch.add(selectArticle(ctx.db, refFilter(ref), ctx.viewer?.userId ?? null));
  await batch.run();
  const row = found(rows(), "article");
  ctx.shown(...articleScopes(row));
  return articleView(row);
}

/** A page of an article's comments, and where it sits among them. */
export type CommentPage = { comments: CommentView[]; commentsCount: number; page: PageCursors };

export type CommentOrder = "newest" | "oldest";

/** The list a comment cursor belongs to: an article's comments, in an order. */
export const commentList = (order: CommentOrder) => `comments:${order}`;
export const COMMENT_LIST = commentList("newest");

// Round trips: 1 (the article and a page of its comments in one batch).
export async function getArticleWithComments(
  ctx: Context,
  ref: ArticleRef,
  query: CommentPageInput = FIRST_COMMENT_PAGE,
  order: CommentOrder = "newest",
): Promise<{ article: ArticleView } & CommentPage> {
  const viewerId = ctx.viewer?.userId ?? null;
  const list = commentList(order);
  const start = await pageStartOf(ctx, list, query);
  const batch = new ViewerBatch(ctx);
  const rows = batch.add(selectArticle(ctx.db, refFilter(ref), viewerId));
  const commentRows = batch.add(selectCommentPages(ctx.db, articleWhere(ref), windowOf(start), viewerId, order === "newest"));
  await batch.run();
  const row = found(rows(), "article");
  const listed = await pageOf(ctx, list, start, commentRows(), commentPosition, row.commentsCount);
  ctx.shown(...articleScopes(row), { kind: "comments", articleId: row.id }, ...listed.rows.flatMap(commentScopes));
  return {
    article: articleView(row),
    comments: listed.rows.map(commentView),
    commentsCount: row.commentsCount,
    page: listed.page,
  };
}

const FIRST_COMMENT_PAGE = v.parse(CommentPageQuery, {});

export const commentPosition = (row: { id: number }): Position => ({ id: row.id });

function tagRows(articleId: number | ReturnType<typeof sql>, tags: string[]) {
  return tags.map((tag, position) => ({ articleId, tag, position }));
}

/** Which of the candidate slugs are taken (by an article other than `exceptId`). */
function takenSlugs(ctx: Context, base: string, exceptId?: number) {
  return ctx.db
    .select({ slug: articles.slug })
    .from(articles)
    .where(and(eq(articles.slug, base), exceptId === undefined ? undefined : ne(articles.id, exceptId)));
}

/**
 * What an article input writes to its own row: every field but the tags (they
 * have a table of their own), under the field's name. A field added to the
 * input is stored with no edit here; one that is not a column does not
 * compile (ArticleInputsAreColumns).
 */
const ownColumns = <Input extends { tagList?: readonly string[] }>({ tagList: _tags, ...columns }: Input) => columns;

type IsColumns<Input> = Exclude<keyof Input, "tagList"> extends keyof typeof articles.$inferInsert ? true : false;
type Agree<T extends true> = T;
export type ArticleInputsAreColumns = [Agree<IsColumns<NewArticleInput>>, Agree<IsColumns<ArticleChangesInput>>];

const freeSlug = (base: string, taken: unknown[]): string =>
  taken.length || RESERVED_SLUGS.has(base) ? withUniqueSuffix(base) : base;

// Round trips: 1 (viewer + slug check) + 1 (insert article, tags and read back,
// one batch). Two authors racing for the same new slug: the loser's batch rolls
// back on the unique index and is retried once with a random suffix.
export async function createArticle(ctx: Context, input: NewArticleInput): Promise<ArticleView> {
  const base = slugify(input.title);
  const batch = new ViewerBatch(ctx);
  const taken = batch.add(takenSlugs(ctx, base));
  const viewer = await batch.runSignedIn();
  const now = ctx.now().getTime();
  const insert = async (slug: string) => {
    const idOfSlug = sql`(SELECT ${articles.id} FROM ${articles} WHERE ${articles.slug} = ${slug})`;
    const write = new Batch();
    write.add(
      ctx.db.insert(articles).values({ ...ownColumns(input), slug, authorId: viewer.id, createdAt: now, updatedAt: now }),
    );
    if (input.tagList.length) write.add(ctx.db.insert(articleTags).values(tagRows(idOfSlug, input.tagList)));
    const readBack = write.add(selectArticle(ctx.db, { slug }, viewer.id));
    await write.run(ctx.db);
    return readBack();
  };
  const rows = await insert(freeSlug(base, taken())).catch((error: unknown) => {
    if (isSlugViolation(error)) return insert(withUniqueSuffix(base));
    throw error;
  });
  ctx.changed(...membershipScopes(usernameKey(viewer.username), input.tagList));
  return articleView(found(rows, "article"));
}

/** The article a write targets, with the authorization rule for changing it. */
function requireOwnArticle<T extends { authorId: number }>(row: T | undefined, viewerId: number, action: string): T {
  if (!row) throw notFound("article");
  if (row.authorId !== viewerId) throw forbidden(`only the author can ${action} this article`);
  return row;
}

const articleTarget = (ctx: Context, ref: ArticleRef) =>
  ctx.db
    .select({ id: articles.id, title: articles.title, slug: articles.slug, authorId: articles.authorId })
    .from(articles)
    .where(articleWhere(ref));

/** The tags the article has before a write changes them (whose lists the write changes). */
const tagsBefore = (ctx: Context, ref: ArticleRef) =>
  ctx.db
    .select({ tag: articleTags.tag })
    .from(articleTags)
    .where(eq(articleTags.articleId, articleIdOf(ref)));

// Round trips: 1 (viewer, target, slug check) + 1 (update, tags, read back).
// The slug follows the title: it changes only when the title does.
export async function updateArticle(ctx: Context, ref: ArticleRef, changes: ArticleChangesInput): Promise<ArticleView> {
  const newBase = changes.title === undefined ? null : slugify(changes.title);
  const batch = new ViewerBatch(ctx);
  const targets = batch.add(articleTarget(ctx, ref));
  // Which slugs the new title could collide with; unused if the title stays.
  const taken = batch.add(
    ctx.db
      .select({ slug: articles.slug })
      .from(articles)
      .where(newBase === null ? sql`0` : and(eq(articles.slug, newBase), not(articleWhere(ref)))),
  );
  const oldTags = changes.tagList === undefined ? null : batch.add(tagsBefore(ctx, ref));
  const viewer = await batch.runSignedIn();
  const target = requireOwnArticle(targets()[0], viewer.id, "update");
  const titleChanged = changes.title !== undefined && changes.title !== target.title;
  const nextSlug =
    titleChanged && newBase !== null ? (newBase === target.slug ? newBase : freeSlug(newBase, taken())) : target.slug;

  const write = async (slugToWrite: string) => {
    const update = new Batch();
    update.add(
      ctx.db
        .update(articles)
        .set({
          // Fields left out are undefined, which Drizzle leaves out of the SET.
          ...ownColumns(changes),
          ...(changes.title === undefined ? {} : { slug: slugToWrite }),
          // Strictly later than before, so a client always sees that it changed.
          updatedAt: sql`max(${ctx.now().getTime()}, ${articles.updatedAt} + 1)`,
        })
        .where(eq(articles.id, target.id)),
    );
    if (changes.tagList !== undefined) {
      update.add(ctx.db.delete(articleTags).where(eq(articleTags.articleId, target.id)));
      if (changes.tagList.length) update.add(ctx.db.insert(articleTags).values(tagRows(target.id, changes.tagList)));
    }
    const readBack = update.add(selectArticle(ctx.db, { id: target.id }, viewer.id));
    await update.run(ctx.db);
    return readBack();
  };
  const rows = await write(nextSlug).catch((error: unknown) => {
    if (isSlugViolation(error) && newBase !== null) return write(withUniqueSuffix(newBase));
    throw error;
  });
  // Retagging changes the lists of the old tags and of the new ones.
  const retagged = oldTags ? [...new Set([...oldTags().map((row) => row.tag), ...(changes.tagList ?? [])])] : [];
  ctx.changed(
    { kind: "article", id: target.id },
    // Its comments are found by slug, which follows the title.
    ...(titleChanged ? [{ kind: "comments", articleId: target.id } as const] : []),
    // New words (or tags) can bring it into a search, or take it out of one.
    { kind: "list", of: "search" },
    ...retagged.map((tag): Scope => ({ kind: "list", of: "tag", tag })),
    ...(retagged.length ? [{ kind: "tags" } as const] : []),
  );
  return articleView(found(rows, "article"));
}

const isSlugViolation = (error: unknown) => isUniqueViolation(error, "articles.slug");

// Round trips: 1 (viewer + target) + 1 (delete; comments, tags and favorites cascade).
export async function deleteArticle(ctx: Context, ref: ArticleRef): Promise<void> {
  const batch = new ViewerBatch(ctx);
  const targets = batch.add(articleTarget(ctx, ref));
  const tags = batch.add(tagsBefore(ctx, ref));
  const viewer = await batch.runSignedIn();
  const target = requireOwnArticle(targets()[0], viewer.id, "delete");
  // A concurrent delete may have won between the two round trips: then this one found nothing.
  const deleted = await ctx.db.delete(articles).where(eq(articles.id, target.id)).returning({ id: articles.id });
  if (!deleted.length) throw notFound("article");
  ctx.changed(
    { kind: "article", id: target.id },
    { kind: "comments", articleId: target.id },
    ...membershipScopes(
      usernameKey(viewer.username),
      tags().map((row) => row.tag),
    ),
  );
}

// Round trips: 1 (viewer + target) + 1 (change, read back). The counts (the
// article's, the user's) are kept by triggers in the same transaction, so they
// are exact however many users favorite at once; repeating a favorite is a no-op.
export async function setFavorite(ctx: Context, ref: ArticleRef, favorite: boolean): Promise<ArticleView> {
  const batch = new ViewerBatch(ctx);
  const targets = batch.add(ctx.db.select({ id: articles.id }).from(articles).where(articleWhere(ref)));
  const viewer = await batch.runSignedIn();
  const target = found(targets(), "article");
  const pair = { userId: viewer.id, articleId: target.id };
  const write = new Batch();
  write.add(
    favorite
      ? ctx.db.insert(favorites).values(pair).onConflictDoNothing()
      : ctx.db.delete(favorites).where(and(eq(favorites.userId, pair.userId), eq(favorites.articleId, pair.articleId))),
  );
  const readBack = write.add(selectArticle(ctx.db, { id: target.id }, viewer.id));
  await write.run(ctx.db).catch((error: unknown) => {
    // The article was deleted between the two round trips.
    if (isForeignKeyViolation(error)) throw notFound("article");
    throw error;
  });
  ctx.changed({ kind: "article", id: target.id }, { kind: "list", of: "favorited", user: usernameKey(viewer.username) });
  return articleView(found(readBack(), "article"));
}
