import type { Context } from "./context";
import { DomainError } from "./errors";

// Rate limits are a rule of the domain where they guard an operation (every
// login or registration attempt counts, whichever API style carries it, so
// many attempts batched into one request count one by one) and of the HTTP
// layer for the blanket limit on writes. The counters themselves live outside
// the Worker (see src/http/limits.ts), so they hold across isolates.

export type LimitBucket = "auth-account" | "auth-client" | "write-client" | "read-bypass" | "graphql-client";

/** Counts one attempt against `key`; false when the bucket's limit is reached. */
export type RateLimiter = (bucket: LimitBucket, key: string) => Promise<boolean>;

export const rateLimited = () => new DomainError("rate_limited", "too many attempts, please wait a minute and retry");

/** Counts the attempt in every bucket, then refuses it if any is over its limit. */
export async function requireWithinLimits(ctx: Context, checks: [LimitBucket, string][]): Promise<void> {
  const allowed = await Promise.all(checks.map(([bucket, key]) => ctx.limit(bucket, key)));
  if (allowed.includes(false)) throw rateLimited();
}
