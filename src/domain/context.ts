import type { Db } from "../db/client";
import type { RateLimiter } from "./limits";
import type { TokenClaims, TokenConfig } from "./tokens";

/** A caller whose token verified; its row is checked in the operation's first query. */
export type Viewer = TokenClaims & { token: string };

/**
 * What a write changed in what anonymous readers are shown, reported by the
 * operation that made it so that caches of those views can be dropped.
 * "content": articles, profiles, tags (and authors shown inside comments);
 * "comments": the comment list of one article.
 */
export type Change = { kind: "content" } | { kind: "comments"; slug: string };

export type Context = {
  db: Db;
  viewer: Viewer | null;
  now: () => Date;
  tokens: TokenConfig;
  /** Called after a write has committed. */
  changed: (change: Change) => void;
  /** Where the request comes from, as a rate-limit key (an address or a /64). */
  client: string;
  limit: RateLimiter;
};
