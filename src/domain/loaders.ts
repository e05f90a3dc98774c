import { inArray, type SQL, sql } from "drizzle-orm";
import { countArticles, selectArticlePage } from "../db/articles";
import { selectCommentPages } from "../db/comments";
import { articles } from "../db/schema";
import { type ArticlePage, articleList, COMMENT_LIST, type CommentPage, commentPosition } from "./articles";
import type { Context } from "./context";
import { pageOf, pageStartOf, windowOf } from "./cursor";
import { DomainError } from "./errors";
import { type CommentPageInput, type PageInput, usernameKey } from "./inputs";
import { ViewerBatch } from "./viewer";
import { articleSummaryView, commentView } from "./views";

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

/** Where a page starts, or the error that refuses its cursor (a DomainError: other errors still fail the batch). */
async function startOrRefusal<Start>(start: Promise<Start>): Promise<Start | DomainError> {
  try {
    return await start;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

/** A page of one article's comments. */
export type ArticleCommentPage = CommentPageInput & { slug: string };

// Round trips: 1. A page of the comments of each article, newest first (as
// listComments); an unknown slug has none. Articles asking for the same page
// (say, the first) share one statement; each article still yields at most a
// page (src/db/comments.ts). A page whose cursor is refused is that error, in
// its place: the other pages are still read.
export async function commentsOfArticles(ctx: Context, keys: readonly ArticleCommentPage[]): Promise<(CommentPage | Error)[]> {
  if (!keys.length) return [];
  const viewerId = ctx.viewer?.userId ?? null;
  const groupOf = ({ slug: _slug, ...query }: ArticleCommentPage) => JSON.stringify(query);
  const groups = new Map<string, { query: CommentPageInput; slugs: string[] }>();
  for (const key of keys) {
    const { slug, ...query } = key;
    const group = groups.get(groupOf(key));
    if (group) group.slugs.push(slug);
    else groups.set(groupOf(key), { query, slugs: [slug] });
  }
  const batch = new ViewerBatch(ctx);
  const reads = [];
  const refused = new Map<string, Error>();
  for (const [group, { query, slugs }] of groups) {
    const start = await startOrRefusal(pageStartOf(ctx, COMMENT_LIST, query));
    if (start instanceof Error) {
      refused.set(group, start);
      continue;
    }
    const named = inArray(articles.slug, oneOf(slugs));
    reads.push({
      group,
      start,
      articles: batch.add(
        ctx.db
          .select({ id: articles.id, slug: articles.slug, commentsCount: articles.commentsCount })
          .from(articles)
          .where(named),
      ),
      comments: batch.add(selectCommentPages(ctx.db, named, windowOf(start), viewerId)),
    });
  }
  await batch.run();
  const pages = new Map<string, CommentPage>();
  for (const read of reads) {
    for (const article of read.articles()) {
      const rows = read.comments().filter((row) => row.articleId === article.id);
      const listed = await pageOf(ctx, COMMENT_LIST, read.start, rows, commentPosition, article.commentsCount);
      const page = { comments: listed.rows.map(commentView), commentsCount: article.commentsCount, page: listed.page };
      pages.set(`${read.group}\n${article.slug}`, page);
    }
  }
  const none: CommentPage = { comments: [], commentsCount: 0, page: { cursors: [], hasNext: false, hasPrevious: false } };
  return keys.map((key) => refused.get(groupOf(key)) ?? pages.get(`${groupOf(key)}\n${key.slug}`) ?? none);
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
// same pages listArticles gives for `author=<name>`, in the order asked; a page
// whose cursor is refused is that error, in its place.
export async function articlesOfAuthors(ctx: Context, pages: readonly AuthorPage[]): Promise<(ArticlePage | Error)[]> {
  if (!pages.length) return [];
  const viewerId = ctx.viewer?.userId ?? null;
  const batch = new ViewerBatch(ctx);
  const slots = [];
  for (const { author, ...query } of pages) {
    const start = await startOrRefusal(pageStartOf(ctx, articleList("newest"), query));
    if (start instanceof Error) {
      slots.push(start);
      continue;
    }
    const filter = { authorKey: usernameKey(author) };
    slots.push({
      start,
      rows: batch.add(selectArticlePage(ctx.db, filter, windowOf(start), viewerId)),
      counted: batch.add(countArticles(ctx.db, filter)),
    });
  }
  await batch.run();
  return Promise.all(
    slots.map(async (slot) => {
      if (slot instanceof Error) return slot;
      const { start, rows, counted } = slot;
      const articlesCount = counted()[0]?.total ?? 0;
      const listed = await pageOf(ctx, articleList("newest"), start, rows(), (row) => ({ id: row.id }), articlesCount);
      return { articles: listed.rows.map(articleSummaryView), articlesCount, page: listed.page };
    }),
  );
}
