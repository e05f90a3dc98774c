import { and, eq } from "drizzle-orm";
import { type ArticleRef, articleWhere, selectArticle } from "../db/articles";
import { selectCommentPages, selectComments } from "../db/comments";
import { isForeignKeyViolation } from "../db/errors";
import { articles, comments } from "../db/schema";
import { COMMENT_LIST, type CommentPage, commentPosition } from "./articles";
import type { Context } from "./context";
import { pageOf, pageStartOf, windowOf } from "./cursor";
import { forbidden, found, notFound } from "./errors";
import type { CommentPageInput, NewCommentInput } from "./inputs";
import { articleScopes, commentScopes } from "./scopes";
import { ViewerBatch } from "./viewer";
import { type ArticleView, articleView, type CommentView, commentView, isoTime, profileView } from "./views";

const articleKey = (ctx: Context, article: ArticleRef) =>
  ctx.db
    .select({ id: articles.id, slug: articles.slug, commentsCount: articles.commentsCount })
    .from(articles)
    .where(articleWhere(article));

// Round trips: 1. A page of an article's comments, newest first.
export async function listComments(ctx: Context, slug: string, query: CommentPageInput): Promise<CommentPage> {
  const start = await pageStartOf(ctx, COMMENT_LIST, query);
  const batch = new ViewerBatch(ctx);
  const article = batch.add(articleKey(ctx, slug));
  const rows = batch.add(selectCommentPages(ctx.db, articleWhere(slug), windowOf(start), ctx.viewer?.userId ?? null));
  await batch.run();
  const { id, commentsCount } = found(article(), "article");
  const listed = await pageOf(ctx, COMMENT_LIST, start, rows(), commentPosition, commentsCount);
  ctx.shown({ kind: "comments", articleId: id }, ...listed.rows.flatMap(commentScopes));
  return { comments: listed.rows.map(commentView), commentsCount, page: listed.page };
}

// Round trips: 1. One comment and the article it is on.
export async function getComment(ctx: Context, id: number): Promise<{ comment: CommentView; article: ArticleView }> {
  const viewerId = ctx.viewer?.userId ?? null;
  const batch = new ViewerBatch(ctx);
  const rows = batch.add(selectComments(ctx.db, eq(comments.id, id), viewerId));
  const articleRows = batch.add(selectArticle(ctx.db, { ofComment: id }, viewerId));
  await batch.run();
  const [articleRow] = articleRows();
  if (!articleRow) throw notFound("comment");
  const row = found(rows(), "comment");
  ctx.shown(...commentScopes(row), ...articleScopes(articleRow));
  return { comment: commentView(row), article: articleView(articleRow) };
}

// Round trips: 1 (viewer + article) + 1 (insert).
export async function addComment(ctx: Context, ref: ArticleRef, input: NewCommentInput): Promise<CommentView> {
  const batch = new ViewerBatch(ctx);
  const articleRows = batch.add(articleKey(ctx, ref));
  const viewer = await batch.runSignedIn();
  const article = found(articleRows(), "article");
  const now = ctx.now().getTime();
  const [row] = await ctx.db
    .insert(comments)
    .values({ articleId: article.id, authorId: viewer.id, body: input.body, createdAt: now, updatedAt: now })
    .returning()
    .catch((error: unknown) => {
      if (isForeignKeyViolation(error)) throw notFound("article");
      throw error;
    });
  if (!row) throw notFound("article");
  ctx.changed({ kind: "comments", articleId: article.id });
  return {
    id: row.id,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
    body: row.body,
    author: profileView(viewer, false, viewer.id),
  };
}

// Round trips: 1 (viewer, article, comment) + 1 (delete). Only the comment's
// author may delete it. With no article named (JSON:API names a comment by its
// id alone), the comment is looked up wherever it is.
export async function deleteComment(ctx: Context, ref: ArticleRef | null, commentId: number): Promise<void> {
  const batch = new ViewerBatch(ctx);
  const article = ref === null ? null : batch.add(articleKey(ctx, ref));
  const targets = batch.add(
    ctx.db
      .select({ id: comments.id, authorId: comments.authorId, articleId: comments.articleId })
      .from(comments)
      .innerJoin(articles, eq(articles.id, comments.articleId))
      .where(and(eq(comments.id, commentId), ref === null ? undefined : articleWhere(ref))),
  );
  const viewer = await batch.runSignedIn();
  if (article && !article()[0]) throw notFound("article");
  const target = found(targets(), "comment");
  if (target.authorId !== viewer.id) throw forbidden("only the author can delete this comment");
  // A concurrent delete may have won between the two round trips: then this one found nothing.
  const deleted = await ctx.db.delete(comments).where(eq(comments.id, target.id)).returning({ id: comments.id });
  if (!deleted.length) throw notFound("comment");
  ctx.changed({ kind: "comments", articleId: target.articleId });
}
