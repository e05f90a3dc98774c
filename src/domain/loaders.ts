import { inArray, type SQL, sql } from "drizzle-orm";
import { type ArticleFilter, countArticles, selectArticlePage } from "../db/articles";
import { articles, comments } from "../db/schema";
import { commentView, selectComments } from "./comments";
import type { Context } from "./context";
import { type PageInput, usernameKey } from "./inputs";
import { batchAsViewer } from "./viewer";
import { type ArticlePageView, articleView, type CommentView } from "./views";

// Batched reads for adapters that resolve nested data (GraphQL): each takes
// every key an adapter collected while resolving one level of a query and
// costs ONE D1 round trip, whatever the number of keys. They read through the
// same read model and views as the single-item operations (articles.ts,
// comments.ts), and check the viewer's token version in the same batch
// (batchAsViewer), so `favorited`, `following` and revocation work alike.

/**
 * Binds a list of keys as ONE parameter (a JSON array), so a batch of any size
 * stays within D1's limit of 100 bound parameters per statement.
 */
const oneOf = (keys: readonly string[]): SQL => sql`(SELECT value FROM json_each(${JSON.stringify(keys)}))`;

// Round trips: 1. The comments of each article, newest first (as
// listComments); an unknown slug has none.
export async function commentsOfArticles(ctx: Context, slugs: readonly string[]): Promise<Map<string, CommentView[]>> {
  const bySlug = new Map<string, CommentView[]>(slugs.map((slug) => [slug, []]));
  if (!slugs.length) return bySlug;
  const named = inArray(articles.slug, oneOf(slugs));
  const [, [found, rows]] = await batchAsViewer(ctx, [
    ctx.db.select({ id: articles.id, slug: articles.slug }).from(articles).where(named),
    selectComments(ctx, inArray(comments.articleId, ctx.db.select({ id: articles.id }).from(articles).where(named))),
  ]);
  const slugOf = new Map(found.map((article) => [article.id, article.slug]));
  for (const row of rows) {
    const slug = slugOf.get(row.articleId);
    if (slug !== undefined) bySlug.get(slug)?.push(commentView(row));
  }
  return bySlug;
}

// Round trips: 1. The bodies of articles (lists leave them out); an unknown
// slug is absent from the map.
export async function bodiesOfArticles(ctx: Context, slugs: readonly string[]): Promise<Map<string, string>> {
  if (!slugs.length) return new Map();
  const [, [rows]] = await batchAsViewer(ctx, [
    ctx.db
      .select({ slug: articles.slug, body: articles.body })
      .from(articles)
      .where(inArray(articles.slug, oneOf(slugs))),
  ]);
  return new Map(rows.map((row) => [row.slug, row.body]));
}

/** One page of one author's articles. */
export type AuthorPage = PageInput & { author: string };

// Round trips: 1 (a page and its count per author, all in one batch). The
// same pages listArticles gives for `author=<name>`, in the order asked.
export async function articlesOfAuthors(ctx: Context, pages: readonly AuthorPage[]): Promise<ArticlePageView[]> {
  if (!pages.length) return [];
  const viewerId = ctx.viewer?.userId ?? null;
  const items = pages.flatMap((page) => {
    const filter: ArticleFilter = { authorKey: usernameKey(page.author) };
    return [selectArticlePage(ctx.db, filter, page, viewerId), countArticles(ctx.db, filter)] as const;
  });
  const [, results] = await batchAsViewer(ctx, items as unknown as [(typeof items)[number], ...typeof items]);
  return pages.map((_, index) => {
    const rows = results[2 * index] as Awaited<ReturnType<typeof selectArticlePage>>;
    const [counted] = results[2 * index + 1] as Awaited<ReturnType<typeof countArticles>>;
    return { articles: rows.map(articleView), articlesCount: counted?.total ?? 0 };
  });
}
