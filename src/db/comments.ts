import { and, eq, inArray, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { idKeyset, type PageWindow } from "./keyset";
import { articles, comments, users } from "./schema";
import { followingExpr } from "./users";

// The comment read model: every comment list selects through here. Newest
// first, like articles, and always a bounded page: a list never reads more
// than a page of each article's comments, however many it has.

function commentColumns(viewerId: number | null) {
  return {
    id: comments.id,
    articleId: comments.articleId,
    authorId: comments.authorId,
    body: comments.body,
    createdAt: comments.createdAt,
    updatedAt: comments.updatedAt,
    username: users.username,
    bio: users.bio,
    image: users.image,
    following: followingExpr(viewerId, comments.authorId),
  };
}

/** Comments by `where` (one comment, by id). */
export function selectComments(db: Db, where: SQL, viewerId: number | null) {
  return db.select(commentColumns(viewerId)).from(comments).innerJoin(users, eq(users.id, comments.authorId)).where(where);
}

const paged = alias(comments, "paged");

/**
 * A page of the comments of each article `ofArticles` selects (a condition on
 * `articles`), newest first or, not `descending`, oldest first (nearest first
 * for a page before a position).
 * The page is taken per article, from the (article, id) index, so every
 * article yields at most `page.limit` comments.
 */
export function selectCommentPages(db: Db, ofArticles: SQL, page: PageWindow, viewerId: number | null, descending = true) {
  const inner = idKeyset(paged.id, descending, page);
  const pageIds = db
    .select({ id: paged.id })
    .from(paged)
    .where(and(eq(paged.articleId, articles.id), inner.where))
    .orderBy(inner.orderBy)
    .limit(page.limit)
    .offset(inner.offset);
  return db
    .select(commentColumns(viewerId))
    .from(articles)
    .innerJoin(comments, inArray(comments.id, pageIds))
    .innerJoin(users, eq(users.id, comments.authorId))
    .where(ofArticles)
    .orderBy(idKeyset(comments.id, descending, page).orderBy);
}

export type CommentRow = Awaited<ReturnType<typeof selectComments>>[number];
