import type { Db } from "../db/client";
import type { TokenClaims, TokenConfig } from "./tokens";

/** A caller whose token verified; its row is checked in the operation's first query. */
export type Viewer = TokenClaims & { token: string };

export type Context = {
  db: Db;
  viewer: Viewer | null;
  now: () => Date;
  tokens: TokenConfig;
};
