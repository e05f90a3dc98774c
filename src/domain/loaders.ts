import { inArray, type SQL, sql } from "drizzle-orm";
import { countArticles, selectArticlePage } from "../db/articles";
import { selectComments } from "../db/comments";
import { articles, comments } from "../db/schema";
import type { Context } from "./context";
import { type PageInput, usernameKey } from "./inputs";
import { ViewerBatch } from "./viewer";
import { type ArticlePageView, articleSummaryView, type CommentView, commentView } from "./views";

// Batched reads for adapters that resolve nested data (GraphQL): each takes
// every key an adapter collected while resolving one level of a query and
// costs ONE D1 round trip, whatever the number of keys. They read through the
// same read models and views as the single-item operations (articles.ts,
// comments.ts), and check the viewer's token version in the same batch
// (ViewerBatch), so `favorited`, `following` and revocation work alike.

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
  const batch = new ViewerBatch(ctx);
  const found = batch.add(ctx.db.select({ id: articles.id, slug: articles.slug }).from(articles).where(named));
  const rows = batch.add(
    selectComments(
      ctx.db,
      inArray(comments.articleId, ctx.db.select({ id: articles.id }).from(articles).where(named)),
      ctx.viewer?.userId ?? null,
    ),
  );
  await batch.run();
  const slugOf = new Map(found().map((article) => [article.id, article.slug]));
  for (const row of rows()) {
    const slug = slugOf.get(row.articleId);
    if (slug !== undefined) bySlug.get(slug)?.push(commentView(row));
  }
  return bySlug;
}

// Round trips: 1. The bodies of articles (lists leave them out); an unknown
// slug is absent from the map.
export async function bodiesOfArticles(ctx: Context, slugs: readonly string[]): Promise<Map<string, string>> {
  if (!slugs.length) return new Map();
  const batch = new ViewerBatch(ctx);
  const rows = batch.add(
    ctx.db
      .select({ slug: articles.slug, body: articles.body })
      .from(articles)
      .where(inArray(articles.slug, oneOf(slugs))),
  );
  await batch.run();
  return new Map(rows().map((row) => [row.slug, row.body]));
}

/** One page of one author's articles. */
export type AuthorPage = PageInput & { author: string };

// Round trips: 1 (a page and its count per author, all in one batch). The
// same pages listArticles gives for `author=<name>`, in the order asked.
export async function articlesOfAuthors(ctx: Context, pages: readonly AuthorPage[]): Promise<ArticlePageView[]> {
  if (!pages.length) return [];
  const viewerId = ctx.viewer?.userId ?? null;
  const batch = new ViewerBatch(ctx);
  const slots = pages.map((page) => {
    const filter = { authorKey: usernameKey(page.author) };
    return {
      rows: batch.add(selectArticlePage(ctx.db, filter, page, viewerId)),
      counted: batch.add(countArticles(ctx.db, filter)),
    };
  });
  await batch.run();
  return slots.map(({ rows, counted }) => ({
    articles: rows().map(articleSummaryView),
    articlesCount: counted()[0]?.total ?? 0,
  }));
}
