import { and, desc, eq, type SQL } from "drizzle-orm";
import { type ArticleRef, articleIdOf, articleWhere, selectArticle } from "../db/articles";
import { isForeignKeyViolation } from "../db/errors";
import { articles, comments, users } from "../db/schema";
import { followingExpr } from "../db/users";
import type { Context } from "./context";
import { forbidden, notFound } from "./errors";
import type { NewCommentInput } from "./inputs";
import { batchAsSignedIn, batchAsViewer } from "./viewer";
import { type ArticleView, articleView, type CommentView, isoTime, profileView } from "./views";

const articleKey = (ctx: Context, article: ArticleRef) =>
  ctx.db.select({ id: articles.id, slug: articles.slug }).from(articles).where(articleWhere(article));

/** The comment read model: every comment list selects through here. Newest first, like articles. */
export function selectComments(ctx: Context, where: SQL) {
  return ctx.db
    .select({
      id: comments.id,
      articleId: comments.articleId,
      authorId: comments.authorId,
      body: comments.body,
      createdAt: comments.createdAt,
      updatedAt: comments.updatedAt,
      username: users.username,
      bio: users.bio,
      image: users.image,
      following: followingExpr(ctx.viewer?.userId ?? null, comments.authorId),
    })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .where(where)
    .orderBy(desc(comments.id));
}

export type CommentRow = Awaited<ReturnType<typeof selectComments>>[number];

export const commentView = (row: CommentRow): CommentView => ({
  id: row.id,
  createdAt: isoTime(row.createdAt),
  updatedAt: isoTime(row.updatedAt),
  body: row.body,
  author: profileView(row, row.following, row.authorId),
});

// Round trips: 1.
export async function listComments(ctx: Context, slug: string): Promise<CommentView[]> {
  const [, [found, rows]] = await batchAsViewer(ctx, [
    articleKey(ctx, slug),
    selectComments(ctx, eq(comments.articleId, articleIdOf(slug))),
  ]);
  if (!found[0]) throw notFound("article");
  return rows.map(commentView);
}

// Round trips: 1. One comment and the article it is on.
export async function getComment(ctx: Context, id: number): Promise<{ comment: CommentView; article: ArticleView }> {
  const [, [rows, articleRows]] = await batchAsViewer(ctx, [
    selectComments(ctx, eq(comments.id, id)),
    selectArticle(ctx.db, { ofComment: id }, ctx.viewer?.userId ?? null),
  ]);
  const [row] = rows;
  const [articleRow] = articleRows;
  if (!row || !articleRow) throw notFound("comment");
  return { comment: commentView(row), article: articleView(articleRow) };
}

// Round trips: 1 (viewer + article) + 1 (insert).
export async function addComment(ctx: Context, ref: ArticleRef, input: NewCommentInput): Promise<CommentView> {
  const [viewer, [found]] = await batchAsSignedIn(ctx, [articleKey(ctx, ref)]);
  const article = found[0];
  if (!article) throw notFound("article");
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
  ctx.changed({ kind: "comments", slug: article.slug });
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
  const comment = ctx.db
    .select({ id: comments.id, authorId: comments.authorId, slug: articles.slug })
    .from(comments)
    .innerJoin(articles, eq(articles.id, comments.articleId))
    .where(and(eq(comments.id, commentId), ref === null ? undefined : articleWhere(ref)));
  const [viewer, [found, targets]] =
    ref === null
      ? await batchAsSignedIn(ctx, [comment]).then(([row, [rows]]) => [row, [[true], rows]] as const)
      : await batchAsSignedIn(ctx, [articleKey(ctx, ref), comment]);
  if (!found[0]) throw notFound("article");
  const target = targets[0];
  if (!target) throw notFound("comment");
  if (target.authorId !== viewer.id) throw forbidden("only the author can delete this comment");
  // A concurrent delete may have won between the two round trips: then this one found nothing.
  const deleted = await ctx.db.delete(comments).where(eq(comments.id, target.id)).returning({ id: comments.id });
  if (!deleted.length) throw notFound("comment");
  ctx.changed({ kind: "comments", slug: target.slug });
}
