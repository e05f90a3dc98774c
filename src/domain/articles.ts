import { and, eq, inArray, ne, not, sql } from "drizzle-orm";
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
import { isForeignKeyViolation, isUniqueViolation } from "../db/errors";
import { articles, articleTags, comments, favorites, users } from "../db/schema";
import { type CommentRow, commentView, selectComments } from "./comments";
import type { Context } from "./context";
import { forbidden, notFound } from "./errors";
import { type ArticleChangesInput, type ArticleQueryInput, type NewArticleInput, type PageInput, usernameKey } from "./inputs";
import { slugify, withUniqueSuffix } from "./slug";
import { batchAsSignedIn, batchAsViewer } from "./viewer";
import { type ArticlePageView, type ArticleView, articleView, type CommentView } from "./views";

// Slugs that a route already owns: `/articles/feed` is the feed.
const RESERVED_SLUGS = new Set(["feed"]);

const filterOf = (query: ArticleQueryInput): ArticleFilter => ({
  ...(query.tag === undefined ? {} : { tag: query.tag }),
  ...(query.author === undefined ? {} : { authorKey: usernameKey(query.author) }),
  ...(query.favorited === undefined ? {} : { favoritedByKey: usernameKey(query.favorited) }),
});

// Round trips: 1 (count and page in one batch).
export async function listArticles(ctx: Context, query: ArticleQueryInput): Promise<ArticlePageView> {
  const { articles, articlesCount } = await pageOf(ctx, filterOf(query), query, false);
  return { articles, articlesCount };
}

// Round trips: 1.
export async function feed(ctx: Context, page: PageInput): Promise<ArticlePageView> {
  const { articles, articlesCount } = await pageOf(ctx, { feedOf: ctx.viewer?.userId ?? 0 }, page, true);
  return { articles, articlesCount };
}

/** What a listing can carry besides the page (JSON:API asks for these). */
export type ListingOptions = {
  order?: ArticleOrder;
  /** Only this author's articles; an unknown author is a 404. */
  authorId?: number;
  /** The comments of every article on the page, read in the page's own batch. */
  withComments?: boolean;
};

/** A page with the comments of its articles (by article id) when they were asked for. */
export type ArticleListing = ArticlePageView & { comments: Map<number, CommentView[]> };

// Round trips: 1 (page, count and what the options ask for, in one batch).
export async function articleListing(ctx: Context, query: ArticleQueryInput, options: ListingOptions): Promise<ArticleListing> {
  const filter = { ...filterOf(query), ...(options.authorId === undefined ? {} : { authorId: options.authorId }) };
  return pageOf(ctx, filter, query, false, options);
}

// Round trips: 1.
export async function feedListing(
  ctx: Context,
  page: PageInput,
  options: Omit<ListingOptions, "authorId">,
): Promise<ArticleListing> {
  return pageOf(ctx, { feedOf: ctx.viewer?.userId ?? 0 }, page, true, options);
}

async function pageOf(
  ctx: Context,
  filter: ArticleFilter,
  page: PageInput,
  signedIn: boolean,
  options: ListingOptions = {},
): Promise<ArticleListing> {
  const viewerId = ctx.viewer?.userId ?? null;
  const order = options.order ?? "newest";
  const items = [selectArticlePage(ctx.db, filter, page, viewerId, order), countArticles(ctx.db, filter)] as const;
  const commentsOfPage = options.withComments
    ? selectComments(ctx, inArray(comments.articleId, articlePageIds(ctx.db, filter, page, order)))
    : null;
  const author =
    options.authorId === undefined ? null : ctx.db.select({ id: users.id }).from(users).where(eq(users.id, options.authorId));
  // The optional statements ride in the same batch, after the two every listing has.
  const batch = [...items, ...(commentsOfPage ? [commentsOfPage] : []), ...(author ? [author] : [])] as unknown as typeof items;
  const [, results] = signedIn ? await batchAsSignedIn(ctx, batch) : await batchAsViewer(ctx, batch);
  const [rows, [counted]] = results;
  const extra = (results as unknown as unknown[]).slice(items.length);
  const commentRows = commentsOfPage ? (extra.shift() as CommentRow[]) : [];
  if (author && !(extra.shift() as unknown[]).length) throw notFound("profile");
  return { articles: rows.map(articleView), articlesCount: counted?.total ?? 0, comments: commentsByArticle(commentRows) };
}

function commentsByArticle(rows: CommentRow[]): Map<number, CommentView[]> {
  const byArticle = new Map<number, CommentView[]>();
  for (const row of rows) byArticle.set(row.articleId, [...(byArticle.get(row.articleId) ?? []), commentView(row)]);
  return byArticle;
}

// Round trips: 1.
export async function getArticle(ctx: Context, ref: ArticleRef): Promise<ArticleView> {
  const [, [rows]] = await batchAsViewer(ctx, [selectArticle(ctx.db, refFilter(ref), ctx.viewer?.userId ?? null)]);
  const row = rows[0];
  if (!row) throw notFound("article");
  return articleView(row);
}

// Round trips: 1 (the article and its comments in one batch).
export async function getArticleWithComments(
  ctx: Context,
  ref: ArticleRef,
): Promise<{ article: ArticleView; comments: CommentView[] }> {
  const [, [rows, commentRows]] = await batchAsViewer(ctx, [
    selectArticle(ctx.db, refFilter(ref), ctx.viewer?.userId ?? null),
    selectComments(ctx, eq(comments.articleId, articleIdOf(ref))),
  ]);
  const row = rows[0];
  if (!row) throw notFound("article");
  return { article: articleView(row), comments: commentRows.map(commentView) };
}

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

const freeSlug = (base: string, taken: unknown[]): string =>
  taken.length || RESERVED_SLUGS.has(base) ? withUniqueSuffix(base) : base;

// Round trips: 1 (viewer + slug check) + 1 (insert article, tags and read back,
// one batch). Two authors racing for the same new slug: the loser's batch rolls
// back on the unique index and is retried once with a random suffix.
export async function createArticle(ctx: Context, input: NewArticleInput): Promise<ArticleView> {
  const base = slugify(input.title);
  const [viewer, [taken]] = await batchAsSignedIn(ctx, [takenSlugs(ctx, base)]);
  const now = ctx.now().getTime();
  const insert = async (slug: string) => {
    const idOfSlug = sql`(SELECT ${articles.id} FROM ${articles} WHERE ${articles.slug} = ${slug})`;
    const article = ctx.db.insert(articles).values({
      slug,
      title: input.title,
      description: input.description,
      body: input.body,
      authorId: viewer.id,
      createdAt: now,
      updatedAt: now,
    });
    const readBack = selectArticle(ctx.db, { slug }, viewer.id);
    const results = input.tagList.length
      ? await ctx.db.batch([article, ctx.db.insert(articleTags).values(tagRows(idOfSlug, input.tagList)), readBack])
      : await ctx.db.batch([article, readBack]);
    return results[results.length - 1] as Awaited<typeof readBack>;
  };
  const slug = freeSlug(base, taken);
  const rows = await insert(slug).catch((error: unknown) => {
    if (isSlugViolation(error)) return insert(withUniqueSuffix(base));
    throw error;
  });
  ctx.changed({ kind: "content" });
  const row = rows[0];
  if (!row) throw notFound("article");
  return articleView(row);
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

// Round trips: 1 (viewer, target, slug check) + 1 (update, tags, read back).
// The slug follows the title: it changes only when the title does.
export async function updateArticle(ctx: Context, ref: ArticleRef, changes: ArticleChangesInput): Promise<ArticleView> {
  const newBase = changes.title === undefined ? null : slugify(changes.title);
  const [viewer, [targets, taken]] = await batchAsSignedIn(ctx, [
    articleTarget(ctx, ref),
    // Which slugs the new title could collide with; unused if the title stays.
    ctx.db
      .select({ slug: articles.slug })
      .from(articles)
      .where(newBase === null ? sql`0` : and(eq(articles.slug, newBase), not(articleWhere(ref)))),
  ]);
  const target = requireOwnArticle(targets[0], viewer.id, "update");
  const titleChanged = changes.title !== undefined && changes.title !== target.title;
  const nextSlug =
    titleChanged && newBase !== null ? (newBase === target.slug ? newBase : freeSlug(newBase, taken)) : target.slug;

  const write = (slugToWrite: string) => {
    const update = ctx.db
      .update(articles)
      .set({
        ...(changes.title === undefined ? {} : { title: changes.title, slug: slugToWrite }),
        ...(changes.description === undefined ? {} : { description: changes.description }),
        ...(changes.body === undefined ? {} : { body: changes.body }),
        // Strictly later than before, so a client always sees that it changed.
        updatedAt: sql`max(${ctx.now().getTime()}, ${articles.updatedAt} + 1)`,
      })
      .where(eq(articles.id, target.id));
    const readBack = selectArticle(ctx.db, { id: target.id }, viewer.id);
    const tags = changes.tagList;
    const results =
      tags === undefined
        ? ctx.db.batch([update, readBack])
        : tags.length
          ? ctx.db.batch([
              update,
              deleteTags(ctx, target.id),
              ctx.db.insert(articleTags).values(tagRows(target.id, tags)),
              readBack,
            ])
          : ctx.db.batch([update, deleteTags(ctx, target.id), readBack]);
    return results.then((r) => r[r.length - 1] as Awaited<typeof readBack>);
  };
  const rows = await write(nextSlug).catch((error: unknown) => {
    if (isSlugViolation(error) && newBase !== null) return write(withUniqueSuffix(newBase));
    throw error;
  });
  ctx.changed({ kind: "content" });
  const row = rows[0];
  if (!row) throw notFound("article");
  return articleView(row);
}

const deleteTags = (ctx: Context, articleId: number) => ctx.db.delete(articleTags).where(eq(articleTags.articleId, articleId));

const isSlugViolation = (error: unknown) => isUniqueViolation(error, "articles.slug");

// Round trips: 1 (viewer + target) + 1 (delete; comments, tags and favorites cascade).
export async function deleteArticle(ctx: Context, ref: ArticleRef): Promise<void> {
  const [viewer, [targets]] = await batchAsSignedIn(ctx, [articleTarget(ctx, ref)]);
  const target = requireOwnArticle(targets[0], viewer.id, "delete");
  // A concurrent delete may have won between the two round trips: then this one found nothing.
  const deleted = await ctx.db.delete(articles).where(eq(articles.id, target.id)).returning({ id: articles.id });
  if (!deleted.length) throw notFound("article");
  ctx.changed({ kind: "content" });
}

// Round trips: 1 (viewer + target) + 1 (change, recount, read back). The count
// is recomputed from the favorites rows inside the same transaction, so it is
// exact however many users favorite at once; repeating a favorite is a no-op.
export async function setFavorite(ctx: Context, ref: ArticleRef, favorite: boolean): Promise<ArticleView> {
  const [viewer, [targets]] = await batchAsSignedIn(ctx, [
    ctx.db.select({ id: articles.id }).from(articles).where(articleWhere(ref)),
  ]);
  const target = targets[0];
  if (!target) throw notFound("article");
  const pair = { userId: viewer.id, articleId: target.id };
  const change = favorite
    ? ctx.db.insert(favorites).values(pair).onConflictDoNothing()
    : ctx.db.delete(favorites).where(and(eq(favorites.userId, pair.userId), eq(favorites.articleId, pair.articleId)));
  const recount = ctx.db
    .update(articles)
    .set({ favoritesCount: sql`(SELECT count(*) FROM ${favorites} WHERE ${favorites.articleId} = ${target.id})` })
    .where(eq(articles.id, target.id));
  const [, , rows] = await ctx.db
    .batch([change, recount, selectArticle(ctx.db, { id: target.id }, viewer.id)])
    .catch((error: unknown) => {
      // The article was deleted between the two round trips.
      if (isForeignKeyViolation(error)) throw notFound("article");
      throw error;
    });
  ctx.changed({ kind: "content" });
  const row = rows[0];
  if (!row) throw notFound("article");
  return articleView(row);
}
