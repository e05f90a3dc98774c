import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { follows, users } from "./schema";
import { SKELETON_SQL, skeletonInput } from "./skeleton";

export const userColumns = {
  id: users.id,
  username: users.username,
  email: users.email,
  bio: users.bio,
  image: users.image,
  tokenVersion: users.tokenVersion,
};

/** The viewer's row, only while the token's version still matches. */
export function selectViewer(db: Db, userId: number, tokenVersion: number) {
  return db
    .select(userColumns)
    .from(users)
    .where(and(eq(users.id, userId), eq(users.tokenVersion, tokenVersion)));
}

// Computed columns carry an alias: D1 batches return rows as objects keyed by
// column name, so two unnamed expressions would overwrite each other.
export function followingExpr(viewerId: number | null, followeeId: unknown) {
  return viewerId === null
    ? sql<number>`0`.as("following")
    : sql<number>`EXISTS (SELECT 1 FROM ${follows} WHERE ${follows.followerId} = ${viewerId} AND ${follows.followeeId} = ${followeeId})`.as(
        "following",
      );
}

/** A user named by the key of their username, or by their id (JSON:API). */
export type UserKey = string | { id: number };

export function selectProfile(db: Db, user: UserKey, viewerId: number | null) {
  return db
    .select({
      id: users.id,
      username: users.username,
      bio: users.bio,
      image: users.image,
      following: followingExpr(viewerId, users.id),
    })
    .from(users)
    .where(typeof user === "string" ? eq(users.usernameKey, user) : eq(users.id, user.id));
}

export function userIdByKey(usernameKey: string) {
  return sql`(SELECT ${users.id} FROM ${users} WHERE ${users.usernameKey} = ${usernameKey})`;
}

const [BEFORE_NAME, AFTER_NAME] = SKELETON_SQL.split("?");

/** The confusable skeleton of `username`, as an SQL expression (src/db/skeleton.ts). */
export function skeletonExpr(username: string) {
  return sql<string>`${sql.raw(BEFORE_NAME ?? "")}${skeletonInput(username)}${sql.raw(AFTER_NAME ?? "")}`;
}

/**
 * A statement that answers the skeletons of a name and of its lowercase
 * spelling (one row), for an operation's first batch.
 */
export function selectSkeletons(db: Db, username: string) {
  return db
    .select({
      skeleton: skeletonExpr(username).as("skeleton"),
      lowercased: skeletonExpr(username.toLowerCase()).as("lowercased"),
    })
    .from(sql`(SELECT 1)`);
}
