import { desc, eq, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { comments, users } from "./schema";
import { followingExpr } from "./users";

/** The comment read model: every comment list selects through here. Newest first, like articles. */
export function selectComments(db: Db, where: SQL, viewerId: number | null) {
  return db
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
      following: followingExpr(viewerId, comments.authorId),
    })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .where(where)
    .orderBy(desc(comments.id));
}

export type CommentRow = Awaited<ReturnType<typeof selectComments>>[number];
