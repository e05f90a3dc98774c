import { and, eq, gte, lt, ne, or, sql } from "drizzle-orm";
import { Batch } from "../db/batch";
import type { Db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { commonPasswords, users } from "../db/schema";
import { selectSkeletons, selectViewer, skeletonExpr, userColumns } from "../db/users";
import type { Context } from "./context";
import { DomainError, type FieldMessages, invalid, unauthenticated } from "./errors";
import { emailKey, type LoginInput, type NewUserInput, type UserChangesInput, usernameKey } from "./inputs";
import { requireWithinLimits } from "./limits";
import { commonPasswordDigest, hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from "./password";
import { userListScopes } from "./scopes";
import { issueToken } from "./tokens";
import { reservedUsername } from "./username";
import { requireViewer, ViewerBatch, type ViewerRow, viewerChecked } from "./viewer";
import { type UserView, withId } from "./views";

const TAKEN = "has already been taken";
const LOOKS_TAKEN = "looks too much like a username that is already taken";
const COMMON_PASSWORD = "is too common: it appears in lists of breached passwords";
const PASSWORD_IS_NAME = "can't be your email or username";
const WRONG_PASSWORD = "is not your password";

function userView(row: Pick<ViewerRow, "id" | "email" | "username" | "bio" | "image">, token: string): UserView {
  return withId({ email: row.email, token, username: row.username, bio: row.bio, image: row.image }, row.id);
}

/** What a new username or email must not share with another account: the name's skeleton is computed in D1. */
type IdentityKeys = { username?: string; usernameKey?: string; emailKey?: string };

const identityColumns = { usernameKey: users.usernameKey, usernameSkeleton: users.usernameSkeleton, emailKey: users.emailKey };

/** Accounts (other than `except`) holding any of the keys. */
function selectTaken(db: Db, keys: IdentityKeys, except?: number) {
  const clashes = [
    ...(keys.usernameKey === undefined ? [] : [eq(users.usernameKey, keys.usernameKey)]),
    ...(keys.username === undefined ? [] : [eq(users.usernameSkeleton, skeletonExpr(keys.username))]),
    ...(keys.emailKey === undefined ? [] : [eq(users.emailKey, keys.emailKey)]),
  ];
  const others = except === undefined ? undefined : ne(users.id, except);
  return db
    .select(identityColumns)
    .from(users)
    .where(clashes.length ? and(others, or(...clashes)) : sql`0`);
}

/**
 * Field messages for a username that is reserved, or that another account
 * holds or looks like, and for an email another account holds.
 */
function takenFields(
  rows: { usernameKey: string; usernameSkeleton: string | null; emailKey: string }[],
  wanted: IdentityKeys,
  skeletons: { skeleton: string; lowercased: string } | undefined,
) {
  const fields: FieldMessages = {};
  if (skeletons && reservedUsername(skeletons)) fields.username = ["is reserved"];
  else if (wanted.usernameKey && rows.some((r) => r.usernameKey === wanted.usernameKey)) fields.username = [TAKEN];
  else if (skeletons && rows.some((r) => r.usernameSkeleton === skeletons.skeleton)) fields.username = [LOOKS_TAKEN];
  if (wanted.emailKey && rows.some((r) => r.emailKey === wanted.emailKey)) fields.email = [TAKEN];
  return fields;
}

/**
 * Maps a lost race on a unique index to a 422 like the pre-check's. SQLite
 * names one violated index, and an identical name violates the skeleton's as
 * well as the key's: either says "taken".
 */
function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error, "users.username_key") || isUniqueViolation(error, "users.username_skeleton")) {
    throw invalid({ username: [TAKEN] });
  }
  if (isUniqueViolation(error, "users.email_key")) throw invalid({ email: [TAKEN] });
  throw error;
}

/**
 * A lookup of a new password in the list of common ones, by the first 20
 * bits of its digest: the statement carries neither the password nor its
 * digest, and answers the few listed digests that share those bits.
 */
async function commonPasswordCheck(password: string) {
  const digest = await commonPasswordDigest(password);
  const prefix = digest.slice(0, 5);
  return {
    select: (db: Db) =>
      db
        .select({ digest: commonPasswords.digest })
        .from(commonPasswords)
        // Hex digits sort before "g": every digest that starts with the prefix.
        .where(and(gte(commonPasswords.digest, prefix), lt(commonPasswords.digest, `${prefix}g`))),
    isCommon: (rows: { digest: string }[]) => rows.some((row) => row.digest === digest),
  };
}

/** The rules of a new password that need more than the password (the schema has the rest). */
function passwordFields(password: string, isCommon: boolean, account: { email: string; username: string }): FieldMessages {
  const folded = password.normalize("NFKC").toLowerCase();
  const sameAsName = [account.email, account.username].some((name) => folded === name.normalize("NFKC").toLowerCase());
  if (sameAsName) return { password: [PASSWORD_IS_NAME] };
  return isCommon ? { password: [COMMON_PASSWORD] } : {};
}

const refuseIfAny = (fields: FieldMessages) => {
  if (Object.keys(fields).length) throw invalid(fields);
};

// Round trips: 1 (look for taken names, and the password in the common list)
// + 1 (insert). Concurrent registrations of one name, or of names that look
// alike, are settled by the unique indexes: exactly one insert succeeds.
export async function register(ctx: Context, input: NewUserInput): Promise<UserView> {
  const keys = { username: input.username, usernameKey: usernameKey(input.username), emailKey: emailKey(input.email) };
  await requireWithinLimits(ctx, [
    ["auth-client", ctx.client],
    ["auth-account", keys.emailKey],
  ]);
  const common = await commonPasswordCheck(input.password);
  const batch = new Batch();
  const taken = batch.add(selectTaken(ctx.db, keys));
  const skeletons = batch.add(selectSkeletons(ctx.db, input.username));
  const listed = batch.add(common.select(ctx.db));
  await batch.run(ctx.db);
  const [names] = skeletons();
  refuseIfAny({
    ...takenFields(taken(), keys, names),
    ...passwordFields(input.password, common.isCommon(listed()), input),
  });

  const now = ctx.now().getTime();
  const passwordHash = await hashPassword(input.password);
  const [row] = await ctx.db
    .insert(users)
    .values({
      username: input.username,
      usernameKey: keys.usernameKey,
      usernameSkeleton: names?.skeleton,
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
// format: it is rewritten in today's while the password is at hand. Every
// attempt costs the same PBKDF2 work: unknown email, wrong password, right
// password, old hash or new (src/domain/password.ts).
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
  const { valid, upgraded } = row
    ? await verifyPassword(input.password, row.passwordHash)
    : await verifyAgainstNothing(input.password);
  if (!row || !valid)
    throw new DomainError("unauthenticated", "email or password is invalid", { "email or password": ["is invalid"] });
  if (needsRehash(row.passwordHash)) {
    // Only if the hash is still the one just verified: a concurrent password change wins.
    await ctx.db
      .update(users)
      .set({ passwordHash: upgraded ?? (await hashPassword(input.password)) })
      .where(and(eq(users.id, row.id), eq(users.passwordHash, row.passwordHash)));
  }
  return userView(row, await issueToken(ctx.tokens, { userId: row.id, tokenVersion: row.tokenVersion }, ctx.now()));
}

// Round trips: 1.
export async function currentUser(ctx: Context): Promise<UserView> {
  const viewer = requireViewer(ctx);
  const [row] = await selectViewer(ctx.db, viewer.userId, viewer.tokenVersion);
  viewerChecked(ctx);
  if (!row) throw unauthenticated("token is no longer valid");
  return userView(row, viewer.token);
}

// Round trips: 1 (viewer, taken names, the current password's hash if asked
// to check it, the new password in the common list) + 1 (update).
//
// A change of password or email bumps the token version, which revokes every
// token issued before it; the response carries a fresh token so the caller
// stays signed in. Such a change (or a `currentPassword` to check) counts
// against the auth limits like a login: it costs PBKDF2 work, and "has already
// been taken" answers whether an email has an account. The RealWorld contract
// has no current password, so the token alone may change them (README,
// "Threat model"); a client that sends `currentPassword` has it checked.
export async function updateUser(ctx: Context, changes: UserChangesInput): Promise<UserView> {
  const viewer = requireViewer(ctx);
  const keys: IdentityKeys = {
    ...(changes.username === undefined ? {} : { username: changes.username, usernameKey: usernameKey(changes.username) }),
    ...(changes.email === undefined ? {} : { emailKey: emailKey(changes.email) }),
  };
  const common = changes.password === undefined ? null : await commonPasswordCheck(changes.password);
  const batch = new ViewerBatch(ctx);
  const taken = batch.add(selectTaken(ctx.db, keys, viewer.userId));
  const skeletons = changes.username === undefined ? null : batch.add(selectSkeletons(ctx.db, changes.username));
  const stored =
    changes.currentPassword === undefined
      ? null
      : batch.add(ctx.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, viewer.userId)));
  const listed = common ? batch.add(common.select(ctx.db)) : null;
  const current = await batch.runSignedIn();

  const emailChange = changes.email !== undefined && changes.email !== current.email;
  const revokes = emailChange || changes.password !== undefined;
  if (revokes || changes.currentPassword !== undefined) {
    await requireWithinLimits(ctx, [
      ["auth-client", ctx.client],
      ["auth-account", `user:${viewer.userId}`],
    ]);
  }
  if (changes.currentPassword !== undefined) {
    const [row] = stored?.() ?? [];
    const { valid } = row
      ? await verifyPassword(changes.currentPassword, row.passwordHash)
      : await verifyAgainstNothing(changes.currentPassword);
    if (!valid) throw invalid({ currentPassword: [WRONG_PASSWORD] });
  }
  const account = { email: changes.email ?? current.email, username: changes.username ?? current.username };
  const [names] = skeletons?.() ?? [];
  refuseIfAny({
    ...takenFields(taken(), keys, names),
    ...(changes.password === undefined || !common || !listed
      ? {}
      : passwordFields(changes.password, common.isCommon(listed()), account)),
  });

  const passwordHash = changes.password === undefined ? {} : { passwordHash: await hashPassword(changes.password) };
  const [row] = await ctx.db
    .update(users)
    .set({
      ...(changes.username === undefined
        ? {}
        : { username: changes.username, usernameKey: keys.usernameKey, usernameSkeleton: names?.skeleton }),
      ...(changes.email === undefined ? {} : { email: changes.email, emailKey: keys.emailKey }),
      ...(changes.bio === undefined ? {} : { bio: changes.bio }),
      ...(changes.image === undefined ? {} : { image: changes.image }),
      ...passwordHash,
      ...(revokes ? { tokenVersion: sql`${users.tokenVersion} + 1` } : {}),
      updatedAt: ctx.now().getTime(),
    })
    // Re-checking the version makes a concurrent password or email change win cleanly.
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
    ctx.changed(...userListScopes(usernameKey(current.username)), ...userListScopes(usernameKey(row.username)));
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
  // The version check is part of the update: the token was checked (and, if good, is now revoked).
  viewerChecked(ctx);
  if (!row) throw unauthenticated("token is no longer valid");
}
