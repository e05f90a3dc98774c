import type { ArticleFilter } from "../db/articles";
import type { Scope } from "./context";

// What reads show and writes change, in the vocabulary of Scope
// (src/domain/context.ts), for the rows the operations handle.

/** An article as shown: its own fields and its author's profile. */
export const articleScopes = (row: { id: number; authorId: number }): Scope[] => [
  { kind: "article", id: row.id },
  { kind: "user", id: row.authorId },
];

/** A comment as shown: the list it belongs to and its author's profile. */
export const commentScopes = (row: { articleId: number; authorId: number }): Scope[] => [
  { kind: "comments", articleId: row.articleId },
  { kind: "user", id: row.authorId },
];

/** Which lists a listing's filter reads (the feed is no one else's, and never shared). */
export function listScopes(filter: ArticleFilter, authorKey?: string): Scope[] {
  const scopes: Scope[] = [];
  if (filter.tag !== undefined) scopes.push({ kind: "list", of: "tag", tag: filter.tag });
  const author = filter.authorKey ?? authorKey;
  if (author !== undefined) scopes.push({ kind: "list", of: "author", user: author });
  if (filter.favoritedByKey !== undefined) scopes.push({ kind: "list", of: "favorited", user: filter.favoritedByKey });
  if (filter.search !== undefined) scopes.push({ kind: "list", of: "search" });
  if (!scopes.length && filter.feedOf === undefined) scopes.push({ kind: "list", of: "all" });
  return scopes;
}

/** The lists an article belongs to, by its author and tags: what its creation or deletion changes. */
export const membershipScopes = (authorKey: string, tagList: readonly string[]): Scope[] => [
  { kind: "list", of: "all" },
  { kind: "list", of: "search" },
  { kind: "list", of: "author", user: authorKey },
  ...tagList.map((tag): Scope => ({ kind: "list", of: "tag", tag })),
  ...(tagList.length ? [{ kind: "tags" } as const] : []),
];

/** The lists named after a user: what a new or renamed username changes. */
export const userListScopes = (userKey: string): Scope[] => [
  { kind: "list", of: "author", user: userKey },
  { kind: "list", of: "favorited", user: userKey },
];
