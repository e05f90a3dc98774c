import type { Context as HonoContext } from "hono";
import { createMiddleware } from "hono/factory";
import { validBookmark } from "../db/session";
import { withDeadline } from "../deadline";
import type { Change } from "../domain/context";
import type { AppEnv } from "./context";
import { entityTag } from "./etag";
import { describeError, logEvent } from "./log";

// The KV response cache for what anonymous readers are shown (article lists
// and articles, comment lists, profiles, tags).
//
// Invalidation by generations: a cached body's key contains the current
// generation of each scope it depends on ("content", and for a comment list
// that article's "comments"). A write stores a new random generation, so every
// key built from the old one is unreachable from then on; bodies under old
// generations simply expire. Nothing is ever read-modified-written, so
// concurrent writers cannot lose an invalidation, and a location that still
// sees an old generation (KV is eventually consistent) serves what was true
// before the write, never a mix.
//
// A generation also carries the D1 bookmark of the write that made it. A miss
// reads from a session that starts there, so a lagging read replica cannot
// fill the new generation's key with data from before the write.

export type CacheOutcome = "hit" | "miss" | "bypass";

/** KV calls slower than this are abandoned and the request is answered from D1. */
export const KV_TIMEOUT_MS = 100;
/** A write waits this long at most for its invalidation to be stored. */
const WRITE_TIMEOUT_MS = 500;
/**
 * Bodies are kept this long. Freshness does not depend on it, unless KV
 * refuses an invalidation and its retry: then it bounds how long a stale body
 * can be served.
 */
const BODY_TTL_SECONDS = 600;
/** KV accepts one write per second per key; a refused bump is retried once after it. */
const RETRY_AFTER_MS = 1_100;

const encoder = new TextEncoder();

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const kvDeadline = <T>(work: Promise<T>, ms: number) =>
  withDeadline(work, ms, () => new Error(`KV did not answer within ${ms} ms`));

const CONTENT_GENERATION = "gen:content";
const commentsGeneration = async (slug: string) => `gen:comments:${await sha256(slug)}`;

/**
 * How long an isolate trusts the generations it last read from KV, so that a
 * hit costs one KV read, not two. A write updates its own isolate's copy at
 * once; other isolates see it within this time (README, consistency contract).
 */
const GENERATION_MEMO_MS = 1_000;
const MEMO_ENTRIES = 1_000;
const generationMemo = new Map<string, { value: string; until: number }>();

function remember(scope: string, value: string, now: number) {
  if (generationMemo.size >= MEMO_ENTRIES) generationMemo.clear();
  generationMemo.set(scope, { value, until: now + GENERATION_MEMO_MS });
}

async function currentGenerations(kv: KVNamespace, scopes: string[]): Promise<string[]> {
  const now = Date.now();
  const stale = scopes.filter((scope) => (generationMemo.get(scope)?.until ?? 0) <= now);
  if (stale.length) {
    const read = await kv.get(stale, "text");
    for (const scope of stale) remember(scope, read.get(scope) ?? "0", now);
  }
  return scopes.map((scope) => generationMemo.get(scope)?.value ?? "0");
}

function logCacheFailure(c: HonoContext<AppEnv>, action: string, error: unknown) {
  logEvent("warn", c.var.requestId, { path: c.req.path, cache: action, error: describeError(error) });
}

/**
 * Makes every cached view that the changes affect unreachable. Awaited before
 * the write's response, so the writer's next anonymous read, here, is fresh.
 */
export async function invalidate(c: HonoContext<AppEnv>, changes: readonly Change[], bookmark: string | null): Promise<void> {
  const keys = new Set<string>();
  for (const change of changes) {
    keys.add(change.kind === "content" ? CONTENT_GENERATION : await commentsGeneration(change.slug));
  }
  const generation = `${crypto.randomUUID()}@${bookmark ?? ""}`;
  await Promise.all(
    [...keys].map(async (key) => {
      remember(key, generation, Date.now());
      try {
        await kvDeadline(c.env.CACHE.put(key, generation), WRITE_TIMEOUT_MS);
      } catch (error) {
        logCacheFailure(c, "invalidate", error);
        const retry = new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS)).then(() =>
          kvDeadline(c.env.CACHE.put(key, `${crypto.randomUUID()}@${bookmark ?? ""}`), WRITE_TIMEOUT_MS).catch((again: unknown) =>
            logCacheFailure(c, "invalidate-retry", again),
          ),
        );
        c.executionCtx.waitUntil(retry);
      }
    }),
  );
}

/**
 * The KV key of this request's cached body under the current generations, and
 * the bookmark of the latest write among them (D1 bookmarks are fixed-width
 * hex counters, so the later one sorts last).
 */
async function responseKey(c: HonoContext<AppEnv>, commentsOf: string | undefined) {
  const scopes = [CONTENT_GENERATION, ...(commentsOf === undefined ? [] : [await commentsGeneration(commentsOf)])];
  const values = await currentGenerations(c.env.CACHE, scopes);
  const bookmarks = values.map((value) => validBookmark(value.split("@")[1])).filter((b): b is string => b !== null);
  const url = new URL(c.req.url);
  url.searchParams.sort();
  // KV keys are at most 512 bytes: long URLs are hashed. The origin is part of
  // the identity: a body may carry absolute links to the host it was made for.
  const identity = `${url.origin}${url.pathname}${url.search}`;
  const named = identity.length <= 200 && !identity.includes(":") ? identity : `#${await sha256(identity)}`;
  const key = `resp:${values.map((value) => value.split("@")[0]).join(":")}:${named}`;
  return { key, readAfter: bookmarks.sort().at(-1) ?? null };
}

const PUBLIC = "public, max-age=0, must-revalidate";

type StoredMetadata = { etag: string; type: string };

/**
 * Serves an anonymous GET from KV when it can, and stores what the handler
 * answered when it could not. Signed-in callers (their views carry
 * `favorited`/`following`), callers holding a D1 bookmark (they asked to read
 * their own writes) and `Cache-Control: no-cache` requests go to D1. If KV
 * fails or is slow the request is answered from D1 all the same.
 */
export const publicCache = (commentsOf?: (c: HonoContext<AppEnv>) => string) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const noCache = /\bno-cache\b/i.test(c.req.header("cache-control") ?? "");
    if (c.var.ctx.viewer || c.var.bookmark || noCache) {
      c.set("cache", "bypass");
      await next();
      if (!c.var.ctx.viewer && c.res.status === 200) c.res.headers.set("Cache-Control", PUBLIC);
      return;
    }

    let key: string | null = null;
    try {
      const current = await kvDeadline(responseKey(c, commentsOf?.(c)), KV_TIMEOUT_MS);
      key = current.key;
      c.set("readAfter", current.readAfter);
      const stored = await kvDeadline(c.env.CACHE.getWithMetadata<StoredMetadata>(key, "text"), KV_TIMEOUT_MS);
      if (stored.value !== null && stored.metadata?.etag && stored.metadata.type) {
        c.set("cache", "hit");
        return c.body(stored.value, 200, {
          "Content-Type": stored.metadata.type,
          ETag: stored.metadata.etag,
          "Cache-Control": PUBLIC,
        });
      }
    } catch (error) {
      logCacheFailure(c, "read", error);
      key = null;
    }

    c.set("cache", key ? "miss" : "bypass");
    await next();
    if (c.res.status !== 200) return;
    c.res.headers.set("Cache-Control", PUBLIC);
    if (!key) return;
    const body = await c.res.clone().text();
    const etag = await entityTag(body);
    c.res.headers.set("ETag", etag);
    // The media type is kept with the body, so every API style gets its own back.
    const metadata: StoredMetadata = { etag, type: c.res.headers.get("content-type") ?? "application/json" };
    const store = kvDeadline(c.env.CACHE.put(key, body, { expirationTtl: BODY_TTL_SECONDS, metadata }), WRITE_TIMEOUT_MS).catch(
      (error: unknown) => logCacheFailure(c, "write", error),
    );
    c.executionCtx.waitUntil(store);
  });
