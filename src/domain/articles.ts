import { and, eq, ne, sql } from "drizzle-orm";
import { type ArticleFilter, countArticles, selectArticle, selectArticlePage } from "../db/articles";
import { isForeignKeyViolation, isUniqueViolation } from "../db/errors";
import { articles, articleTags, favorites } from "../db/schema";
import type { Context } from "./context";
import { forbidden, notFound } from "./errors";
import { type ArticleChangesInput, type ArticleQueryInput, type NewArticleInput, type PageInput, usernameKey } from "./inputs";
import { slugify, withUniqueSuffix } from "./slug";
import { batchAsSignedIn, batchAsViewer } from "./viewer";
import { type ArticlePageView, type ArticleView, articleView } from "./views";

// Slugs that a route already owns: `/articles/feed` is the feed.
const RESERVED_SLUGS = new Set(["feed"]);

// Round trips: 1 (count and page in one batch).
export async function listArticles(ctx: Context, query: ArticleQueryInput): Promise<ArticlePageView> {
  const filter: ArticleFilter = {
    ...(query.tag === undefined ? {} : { tag: query.tag }),
    ...(query.author === undefined ? {} : { authorKey: usernameKey(query.author) }),
    ...(query.favorited === undefined ? {} : { favoritedByKey: usernameKey(query.favorited) }),
  };
  return pageOf(ctx, filter, query, false);
}

// Round trips: 1.
export async function feed(ctx: Context, page: PageInput): Promise<ArticlePageView> {
  return pageOf(ctx, { feedOf: ctx.viewer?.userId ?? 0 }, page, true);
}

async function pageOf(ctx: Context, filter: ArticleFilter, page: PageInput, signedIn: boolean): Promise<ArticlePageView> {
  const viewerId = ctx.viewer?.userId ?? null;
  const items = [selectArticlePage(ctx.db, filter, page, viewerId), countArticles(ctx.db, filter)] as const;
  const [, [rows, [counted]]] = signedIn ? await batchAsSignedIn(ctx, items) : await batchAsViewer(ctx, items);
  return { articles: rows.map(articleView), articlesCount: counted?.total ?? 0 };
}

// Round trips: 1.
export async function getArticle(ctx: Context, slug: string): Promise<ArticleView> {
  const [, [rows]] = await batchAsViewer(ctx, [selectArticle(ctx.db, { slug }, ctx.viewer?.userId ?? null)]);
  const row = rows[0];
  if (!row) throw notFound("article");
  return articleView(row);
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

const articleTarget = (ctx: Context, slug: string) =>
  ctx.db
    .select({ id: articles.id, title: articles.title, slug: articles.slug, authorId: articles.authorId })
    .from(articles)
    .where(eq(articles.slug, slug));

// Round trips: 1 (viewer, target, slug check) + 1 (update, tags, read back).
// The slug follows the title: it changes only when the title does.
export async function updateArticle(ctx: Context, slug: string, changes: ArticleChangesInput): Promise<ArticleView> {
  const newBase = changes.title === undefined ? null : slugify(changes.title);
  const [viewer, [targets, taken]] = await batchAsSignedIn(ctx, [
    articleTarget(ctx, slug),
    // Which slugs the new title could collide with; unused if the title stays.
    ctx.db
      .select({ slug: articles.slug })
      .from(articles)
      .where(newBase === null ? sql`0` : and(eq(articles.slug, newBase), ne(articles.slug, slug))),
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
export async function deleteArticle(ctx: Context, slug: string): Promise<void> {
  const [viewer, [targets]] = await batchAsSignedIn(ctx, [articleTarget(ctx, slug)]);
  const target = requireOwnArticle(targets[0], viewer.id, "delete");
  // A concurrent delete may have won between the two round trips: then this one found nothing.
  const deleted = await ctx.db.delete(articles).where(eq(articles.id, target.id)).returning({ id: articles.id });
  if (!deleted.length) throw notFound("article");
  ctx.changed({ kind: "content" });
}

// Round trips: 1 (viewer + target) + 1 (change, recount, read back). The count
// is recomputed from the favorites rows inside the same transaction, so it is
// exact however many users favorite at once; repeating a favorite is a no-op.
export async function setFavorite(ctx: Context, slug: string, favorite: boolean): Promise<ArticleView> {
  const [viewer, [targets]] = await batchAsSignedIn(ctx, [
    ctx.db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug)),
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
