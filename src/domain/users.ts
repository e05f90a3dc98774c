import { and, eq, ne, or, sql } from "drizzle-orm";
import { isUniqueViolation } from "../db/errors";
import { users } from "../db/schema";
import { selectViewer, userColumns } from "../db/users";
import type { Context } from "./context";
import { DomainError, type FieldMessages, invalid, unauthenticated } from "./errors";
import { emailKey, type LoginInput, type NewUserInput, type UserChangesInput, usernameKey } from "./inputs";
import { requireWithinLimits } from "./limits";
import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from "./password";
import { userListScopes } from "./scopes";
import { issueToken } from "./tokens";
import { requireViewer, ViewerBatch, type ViewerRow } from "./viewer";
import { type UserView, withId } from "./views";

const TAKEN = "has already been taken";

function userView(row: Pick<ViewerRow, "id" | "email" | "username" | "bio" | "image">, token: string): UserView {
  return withId({ email: row.email, token, username: row.username, bio: row.bio, image: row.image }, row.id);
}

/** Field messages for a username/email that another account already holds. */
function takenFields(
  rows: { usernameKey: string; emailKey: string }[],
  wanted: { usernameKey?: string; emailKey?: string },
): FieldMessages {
  const fields: FieldMessages = {};
  if (wanted.usernameKey && rows.some((r) => r.usernameKey === wanted.usernameKey)) fields.username = [TAKEN];
  if (wanted.emailKey && rows.some((r) => r.emailKey === wanted.emailKey)) fields.email = [TAKEN];
  return fields;
}

/** Maps a lost race on a unique index to the same 422 the pre-check gives. */
function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error, "users.username_key")) throw invalid({ username: [TAKEN] });
  if (isUniqueViolation(error, "users.email_key")) throw invalid({ email: [TAKEN] });
  throw error;
}

// Round trips: 1 (look for taken names) + 1 (insert). Concurrent registrations
// of one name are settled by the unique index: exactly one insert succeeds.
export async function register(ctx: Context, input: NewUserInput): Promise<UserView> {
  const keys = { usernameKey: usernameKey(input.username), emailKey: emailKey(input.email) };
  await requireWithinLimits(ctx, [
    ["auth-client", ctx.client],
    ["auth-account", keys.emailKey],
  ]);
  const taken = await ctx.db
    .select({ usernameKey: users.usernameKey, emailKey: users.emailKey })
    .from(users)
    .where(or(eq(users.usernameKey, keys.usernameKey), eq(users.emailKey, keys.emailKey)));
  const fields = takenFields(taken, keys);
  if (Object.keys(fields).length) throw invalid(fields);

  const now = ctx.now().getTime();
  const passwordHash = await hashPassword(input.password);
  const [row] = await ctx.db
    .insert(users)
    .values({
      username: input.username,
      usernameKey: keys.usernameKey,
      email: input.email,
      emailKey: keys.emailKey,
      passwordHash,
      createdAt: now,
      updatedAt: now,
    })
    .returning(userColumns)
    .catch(translateUniqueViolation);
  if (!row) throw new DomainError("unavailable", "registration did not complete");
  // Lists filtered by this name (empty until now) can now have articles.
  ctx.changed(...userListScopes(keys.usernameKey));
  return userView(row, await issueToken(ctx.tokens, { userId: row.id, tokenVersion: row.tokenVersion }, ctx.now()));
}

// Round trips: 1, and 1 more when the stored hash is in an older, weaker
// format: it is rewritten with today's parameters while the password is at hand.
export async function login(ctx: Context, input: LoginInput): Promise<UserView> {
  // Before any work: each attempt costs ~70 ms of CPU.
  await requireWithinLimits(ctx, [
    ["auth-client", ctx.client],
    ["auth-account", emailKey(input.email)],
  ]);
  const [row] = await ctx.db
    .select({ ...userColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.emailKey, emailKey(input.email)));
  const valid = row ? await verifyPassword(input.password, row.passwordHash) : await verifyAgainstNothing(input.password);
  if (!row || !valid)
    throw new DomainError("unauthenticated", "email or password is invalid", { "email or password": ["is invalid"] });
  if (needsRehash(row.passwordHash)) {
    // Only if the hash is still the one just verified: a concurrent password change wins.
    await ctx.db
      .update(users)
      .set({ passwordHash: await hashPassword(input.password) })
      .where(and(eq(users.id, row.id), eq(users.passwordHash, row.passwordHash)));
  }
  return userView(row, await issueToken(ctx.tokens, { userId: row.id, tokenVersion: row.tokenVersion }, ctx.now()));
}

// Round trips: 1.
export async function currentUser(ctx: Context): Promise<UserView> {
  const viewer = requireViewer(ctx);
  const [row] = await selectViewer(ctx.db, viewer.userId, viewer.tokenVersion);
  if (!row) throw unauthenticated("token is no longer valid");
  return userView(row, viewer.token);
}

// Round trips: 1 (viewer + taken names) + 1 (update). A password change bumps
// the token version, which revokes every token issued before it; the response
// carries a fresh token so the caller stays signed in.
export async function updateUser(ctx: Context, changes: UserChangesInput): Promise<UserView> {
  const viewer = requireViewer(ctx);
  const keys = {
    ...(changes.username === undefined ? {} : { usernameKey: usernameKey(changes.username) }),
    ...(changes.email === undefined ? {} : { emailKey: emailKey(changes.email) }),
  };
  const clashes = [
    ...(keys.usernameKey === undefined ? [] : [eq(users.usernameKey, keys.usernameKey)]),
    ...(keys.emailKey === undefined ? [] : [eq(users.emailKey, keys.emailKey)]),
  ];
  const batch = new ViewerBatch(ctx);
  const taken = batch.add(
    ctx.db
      .select({ usernameKey: users.usernameKey, emailKey: users.emailKey })
      .from(users)
      .where(clashes.length ? and(ne(users.id, viewer.userId), or(...clashes)) : sql`0`),
  );
  const before = await batch.runSignedIn();
  const fields = takenFields(taken(), keys);
  if (Object.keys(fields).length) throw invalid(fields);

  const passwordChange =
    changes.password === undefined
      ? {}
      : { passwordHash: await hashPassword(changes.password), tokenVersion: sql`${users.tokenVersion} + 1` };
  const [row] = await ctx.db
    .update(users)
    .set({
      ...(changes.username === undefined ? {} : { username: changes.username, usernameKey: keys.usernameKey }),
      ...(changes.email === undefined ? {} : { email: changes.email, emailKey: keys.emailKey }),
      ...(changes.bio === undefined ? {} : { bio: changes.bio }),
      ...(changes.image === undefined ? {} : { image: changes.image }),
      ...passwordChange,
      updatedAt: ctx.now().getTime(),
    })
    // Re-checking the version makes a concurrent password change win cleanly.
    .where(and(eq(users.id, viewer.userId), eq(users.tokenVersion, viewer.tokenVersion)))
    .returning(userColumns)
    .catch(translateUniqueViolation);
  if (!row) throw unauthenticated("token is no longer valid");
  // Email and password are never shown to others; name, bio and image are,
  // and a new name also renames the lists filtered by it.
  if (changes.username !== undefined || changes.bio !== undefined || changes.image !== undefined) {
    ctx.changed({ kind: "user", id: row.id });
  }
  if (changes.username !== undefined) {
    ctx.changed(...userListScopes(usernameKey(before.username)), ...userListScopes(usernameKey(row.username)));
  }
  const token =
    row.tokenVersion === viewer.tokenVersion
      ? viewer.token
      : await issueToken(ctx.tokens, { userId: row.id, tokenVersion: row.tokenVersion }, ctx.now());
  return userView(row, token);
}

// Round trips: 1. Revokes every token of the account, the caller's included:
// with stateless tokens, one version bump is how "log out everywhere" is done.
export async function logOutEverywhere(ctx: Context): Promise<void> {
  const viewer = requireViewer(ctx);
  const [row] = await ctx.db
    .update(users)
    .set({ tokenVersion: sql`${users.tokenVersion} + 1`, updatedAt: ctx.now().getTime() })
    .where(and(eq(users.id, viewer.userId), eq(users.tokenVersion, viewer.tokenVersion)))
    .returning({ id: users.id });
  if (!row) throw unauthenticated("token is no longer valid");
}
