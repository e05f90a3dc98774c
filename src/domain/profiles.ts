import { and, eq } from "drizzle-orm";
import { follows } from "../db/schema";
import { selectProfile, type UserKey } from "../db/users";
import type { Context } from "./context";
import { found, invalid } from "./errors";
import { usernameKey } from "./inputs";
import { ViewerBatch } from "./viewer";
import { type ProfileView, profileView } from "./views";

/** A user named by their username (REST, GraphQL) or by their id (JSON:API). */
export type UserRef = string | { id: number };

const userKeyOf = (user: UserRef): UserKey => (typeof user === "string" ? usernameKey(user) : user);

// Round trips: 1.
export async function getProfile(ctx: Context, user: UserRef): Promise<ProfileView> {
  const batch = new ViewerBatch(ctx);
  const rows = batch.add(selectProfile(ctx.db, userKeyOf(user), ctx.viewer?.userId ?? null));
  const viewer = await batch.run();
  const row = found(rows(), "profile");
  ctx.shown({ kind: "user", id: row.id });
  return profileView(row, viewer ? row.following : false, row.id);
}

// Round trips: 1 (viewer + profile) + 1 (the change). Idempotent: following
// twice leaves one row, unfollowing someone not followed changes nothing.
// Reports no change: anonymous readers always see `following: false`.
export async function setFollowing(ctx: Context, user: UserRef, following: boolean): Promise<ProfileView> {
  const batch = new ViewerBatch(ctx);
  const rows = batch.add(selectProfile(ctx.db, userKeyOf(user), ctx.viewer?.userId ?? null));
  const viewer = await batch.runSignedIn();
  const target = found(rows(), "profile");
  if (target.id === viewer.id) throw invalid({ username: ["is your own: you cannot follow yourself"] });
  const pair = { followerId: viewer.id, followeeId: target.id };
  if (following) {
    await ctx.db.insert(follows).values(pair).onConflictDoNothing();
  } else {
    await ctx.db.delete(follows).where(and(eq(follows.followerId, pair.followerId), eq(follows.followeeId, pair.followeeId)));
  }
  return profileView(target, following, target.id);
}
