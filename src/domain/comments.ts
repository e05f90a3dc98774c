import { and, desc, eq, sql } from "drizzle-orm";
import { isForeignKeyViolation } from "../db/errors";
import { articles, comments, users } from "../db/schema";
import { followingExpr } from "../db/users";
import type { Context } from "./context";
import { forbidden, notFound } from "./errors";
import type { NewCommentInput } from "./inputs";
import { batchAsSignedIn, batchAsViewer } from "./viewer";
import { type CommentView, isoTime, profileView } from "./views";

const articleIdBySlug = (ctx: Context, slug: string) =>
  ctx.db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug));

// Round trips: 1. Newest first, like articles.
export async function listComments(ctx: Context, slug: string): Promise<CommentView[]> {
  const viewerId = ctx.viewer?.userId ?? null;
  const [, [found, rows]] = await batchAsViewer(ctx, [
    articleIdBySlug(ctx, slug),
    ctx.db
      .select({
        id: comments.id,
        body: comments.body,
        createdAt: comments.createdAt,
        updatedAt: comments.updatedAt,
        username: users.username,
        bio: users.bio,
        image: users.image,
        following: followingExpr(viewerId, comments.authorId),
      })
      .from(comments)
      .innerJoin(users, eq(users.id, comments.authorId))
      .where(eq(comments.articleId, sql`(SELECT ${articles.id} FROM ${articles} WHERE ${articles.slug} = ${slug})`))
      .orderBy(desc(comments.id)),
  ]);
  if (!found[0]) throw notFound("article");
  return rows.map((row) => ({
    id: row.id,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
    body: row.body,
    author: profileView(row, row.following),
  }));
}

// Round trips: 1 (viewer + article) + 1 (insert).
export async function addComment(ctx: Context, slug: string, input: NewCommentInput): Promise<CommentView> {
  const [viewer, [found]] = await batchAsSignedIn(ctx, [articleIdBySlug(ctx, slug)]);
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
  ctx.changed({ kind: "comments", slug });
  return {
    id: row.id,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
    body: row.body,
    author: profileView(viewer, false),
  };
}

// Round trips: 1 (viewer, article, comment) + 1 (delete). Only the comment's
// author may delete it.
export async function deleteComment(ctx: Context, slug: string, commentId: number): Promise<void> {
  const [viewer, [found, targets]] = await batchAsSignedIn(ctx, [
    articleIdBySlug(ctx, slug),
    ctx.db
      .select({ id: comments.id, authorId: comments.authorId })
      .from(comments)
      .innerJoin(articles, eq(articles.id, comments.articleId))
      .where(and(eq(comments.id, commentId), eq(articles.slug, slug))),
  ]);
  if (!found[0]) throw notFound("article");
  const target = targets[0];
  if (!target) throw notFound("comment");
  if (target.authorId !== viewer.id) throw forbidden("only the author can delete this comment");
  // A concurrent delete may have won between the two round trips: then this one found nothing.
  const deleted = await ctx.db.delete(comments).where(eq(comments.id, target.id)).returning({ id: comments.id });
  if (!deleted.length) throw notFound("comment");
  ctx.changed({ kind: "comments", slug });
}
