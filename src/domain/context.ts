import type { Db } from "../db/client";
import type { RateLimiter } from "./limits";
import type { TokenClaims, TokenConfig } from "./tokens";

/** A caller whose token verified; its row is checked in the operation's first query. */
export type Viewer = TokenClaims & { token: string };

/**
 * A part of what anonymous readers are shown. A read reports each scope its
 * answer shows (`shown`), a write each scope it changed (`changed`), so that a
 * cache can drop exactly the answers that showed what changed; the domain
 * itself never names a cache.
 *
 * - article: an article's own fields (slug, title, description, body, tags,
 *   favorites count, dates), wherever it is shown;
 * - user: a user's public profile (username, bio, image), as author too;
 * - comments: the comment list of an article;
 * - list: which articles a list holds, and how many: all of them, a tag's, an
 *   author's or the favorites of a user (by the username's key), or a
 *   search's (which any article's text can change);
 * - tags: the tag ranking.
 */
export type Scope =
  | { kind: "article"; id: number }
  | { kind: "user"; id: number }
  | { kind: "comments"; articleId: number }
  | { kind: "list"; of: "all" | "search" }
  | { kind: "list"; of: "tag"; tag: string }
  | { kind: "list"; of: "author" | "favorited"; user: string }
  | { kind: "tags" };

export type Context = {
  db: Db;
  viewer: Viewer | null;
  now: () => Date;
  tokens: TokenConfig;
  /** Called by a write once it has committed: what it changed. */
  changed: (...scopes: Scope[]) => void;
  /** Called by a read: what its answer shows. */
  shown: (...scopes: Scope[]) => void;
  /** Where the request comes from, as a rate-limit key (an address or a /64). */
  client: string;
  limit: RateLimiter;
};
