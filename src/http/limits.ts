import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { type LimitBucket, type RateLimiter, rateLimited } from "../domain/limits";
import type { Env } from "../env";
import { signedIn } from "./auth";
import type { AppEnv } from "./context";

// Counters are Workers rate-limiting bindings (wrangler.toml `[[ratelimits]]`):
// shared by every isolate in a Cloudflare location, no D1 round trip. A
// missing or failing binding lets the request through (and says so in the log)
// rather than locking everyone out.

/** Every limiter's period in wrangler.toml; a 429 says to retry after it. */
export const RETRY_AFTER_SECONDS = 60;

const BINDINGS = {
  "auth-account": "AUTH_ACCOUNT_LIMITER",
  "auth-client": "AUTH_CLIENT_LIMITER",
  "write-client": "WRITE_CLIENT_LIMITER",
  // Anonymous reads that skip the KV cache (no-cache, a bookmark): each costs a D1 read.
  "read-bypass": "READ_BYPASS_LIMITER",
  "graphql-client": "GRAPHQL_CLIENT_LIMITER",
} as const satisfies Record<LimitBucket, keyof Env>;

export function limiterFor(env: Env, log: (message: string) => void): RateLimiter {
  return async (bucket, key) => {
    const binding = env[BINDINGS[bucket]];
    if (!binding) {
      log(`rate limiter ${BINDINGS[bucket]} is not bound`);
      return true;
    }
    try {
      return (await binding.limit({ key: `${bucket}:${key}` })).success;
    } catch (error) {
      log(`rate limiter ${BINDINGS[bucket]} failed: ${error instanceof Error ? error.message : String(error)}`);
      return true;
    }
  };
}

/**
 * The client a request comes from, as Cloudflare saw it. IPv6 clients are
 * counted per /64, the block one subscriber usually holds, so rotating
 * addresses within it does not reset the count.
 */
export function clientOf(request: Request): string {
  const address = request.headers.get("cf-connecting-ip")?.trim().toLowerCase();
  if (!address) return "unknown";
  if (!address.includes(":")) return address;
  const [head = "", tail = ""] = address.split("::");
  const first = head ? head.split(":") : [];
  const last = tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...first, ...Array(Math.max(0, 8 - first.length - last.length)).fill("0"), ...last]
    : first;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/**
 * The blanket limit on writes per client, on top of the per-operation ones:
 * every write route of REST and JSON:API counts once (GraphQL counts each
 * mutation in its resolvers, since a POST there may be a query).
 */
export const writeLimit = createMiddleware<AppEnv>(async (c, next) => {
  const { ctx } = c.var;
  if (!(await ctx.limit("write-client", ctx.client))) throw rateLimited();
  await next();
});

/**
 * What a declared route (REST, JSON:API) is checked for before its handler
 * runs: a write counts against the write limit, then a required token is
 * checked (a 401 before the body is read).
 */
export const routeChecks = (route: { method: string; auth: string }): MiddlewareHandler<AppEnv>[] => [
  ...(route.method === "get" ? [] : [writeLimit]),
  ...(route.auth === "required" ? [signedIn] : []),
];
