import type { D1Meter } from "../db/metered";
import type { Context as DomainContext, Scope } from "../domain/context";
import type { Env } from "../env";
import type { CacheOutcome } from "./kv-cache";
import type { Representation } from "./negotiation";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    ctx: DomainContext;
    /** D1 round trips of this request, for Server-Timing. */
    meter: D1Meter;
    cache: CacheOutcome;
    /** The client's D1 bookmark, when it sent a valid one. */
    bookmark: string | null;
    /** Where a cache miss must start reading: the last invalidating write. */
    readAfter: string | null;
    /** REST only: the representation the Accept header asked for. */
    representation: Representation;
    /** What the answer shows, as the domain reported it (for the KV cache). */
    shown: Scope[];
    /** The D1 bookmark this request's session has reached so far (null before any round trip). */
    reached: () => string | null;
    /** The request as the route parsed it, naming its cached answer (unknown parameters left out). */
    cacheIdentity: string;
  };
};
