import type { Context as HonoContext } from "hono";
import { createMiddleware } from "hono/factory";
import { validBookmark } from "../db/session";
import { withDeadline } from "../deadline";
import type { Scope } from "../domain/context";
import type { AppEnv } from "./context";
import { entityTag } from "./etag";
import { describeError, logEvent } from "./log";

// The KV response cache for what anonymous readers are shown (article lists
// and articles, comment lists, profiles, tags; in REST, XML and JSON:API).
//
// Invalidation by scope stamps. An answer is stored with the scopes it shows
// (the domain reports them: each article and author on it, the list it is,
// the tag ranking — see Scope in src/domain/context.ts) and with the point of
// D1's history it was read at (its session's bookmark, and the time). A write
// stores a stamp for each scope it changed: its own bookmark and time. A
// stored answer is served only while no scope it shows has a stamp newer
// than its read; otherwise it is read again. So a favorite drops the
// article's page and the lists that show that article, a comment its
// article's comment list, a new article the lists it joins and the tag
// ranking — and nothing else is read again.
//
// Within KV's limits (one write per second per key): an isolate writes each
// stamp at most once a second. Invalidations of one scope that come closer
// together are folded into one write a second later, stamped with the newest
// of them; this isolate's own readers see each at once (the stamps an isolate
// has read or written are kept in memory for a second). If another isolate
// wrote the same stamp within the second, KV refuses ours; a refused stamp is
// written again a second later, newer, so no invalidation is lost. The
// README's consistency contract gives the resulting bounds.
//
// A re-read after an invalidation starts its D1 session at the stamp's
// bookmark, so a lagging read replica cannot serve (and store) data from
// before the write.

export type CacheOutcome = "hit" | "miss" | "bypass";

/** KV calls slower than this are abandoned and the request is answered from D1. */
export const KV_TIMEOUT_MS = 100;
/** A stamp write may take this long; past it, it is retried like a refused one. */
const WRITE_TIMEOUT_MS = 500;
/** Answers are kept this long at most (a backstop: freshness comes from the stamps). */
export const BODY_TTL_SECONDS = 600;
/** Stamps outlive every answer stored before them. */
const STAMP_TTL_SECONDS = 2 * BODY_TTL_SECONDS;
/** KV's limit: one write per second to a key (CACHE_STAMP_INTERVAL_MS, wrangler.toml). */
const KEY_WRITE_INTERVAL_MS = 1_000;
/**
 * A refused stamp is written again after the interval, this margin and a
 * random share of another interval (so that isolates contending for one key
 * fall out of step), for as long as this within the request's waitUntil.
 */
const RETRY_MARGIN_MS = 100;
const RETRY_WINDOW_MS = 20_000;

function stampInterval(env: AppEnv["Bindings"]): number {
  const ms = Number(env.CACHE_STAMP_INTERVAL_MS ?? KEY_WRITE_INTERVAL_MS);
  return Number.isFinite(ms) && ms >= 0 ? ms : KEY_WRITE_INTERVAL_MS;
}
/** How long an isolate trusts a stamp it read (or wrote) without reading it again. */
const STAMP_MEMO_MS = 1_000;
const MEMO_ENTRIES = 10_000;
/** Without bookmarks to compare (a session that gives none), times are compared, with this margin for clocks. */
const CLOCK_SKEW_MS = 50;
/** KV reads at most this many keys in one call. */
const BULK_READ_KEYS = 100;

const encoder = new TextEncoder();

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const kvDeadline = <T>(work: Promise<T>, ms: number) =>
  withDeadline(work, ms, () => new Error(`KV did not answer within ${ms} ms`));

/** The KV key of a scope's stamp. */
export function stampKey(scope: Scope): string {
  switch (scope.kind) {
    case "article":
      return `stamp:a:${scope.id}`;
    case "user":
      return `stamp:u:${scope.id}`;
    case "comments":
      return `stamp:c:${scope.articleId}`;
    case "tags":
      return "stamp:tags";
    case "list":
      switch (scope.of) {
        case "all":
        case "search":
          return `stamp:l:${scope.of}`;
        case "tag":
          return `stamp:l:t:${encodeURIComponent(scope.tag)}`;
        case "author":
        case "favorited":
          return `stamp:l:${scope.of === "author" ? "a" : "f"}:${encodeURIComponent(scope.user)}`;
      }
  }
}

/** A point in D1's history: the bookmark of the session that got there, and when. */
type Point = { bookmark: string | null; time: number };

const encodePoint = (point: Point) => `${point.time}@${point.bookmark ?? ""}`;

function decodePoint(text: string | null | undefined): Point | null {
  if (!text) return null;
  const [time = "", bookmark] = text.split("@");
  const ms = Number(time);
  return Number.isFinite(ms) ? { time: ms, bookmark: validBookmark(bookmark) } : null;
}

/** Whether an answer read at `read` already shows the write stamped `stamp` (D1 bookmarks sort in history order). */
function includes(read: Point, stamp: Point): boolean {
  if (read.bookmark && stamp.bookmark) return stamp.bookmark <= read.bookmark;
  return stamp.time < read.time - CLOCK_SKEW_MS;
}

// --- stamps in this isolate ---------------------------------------------------

type Memo = { point: Point | null; until: number };
const stampMemo = new Map<string, Memo>();

/** The later of two stamps (by bookmark where both have one). */
function later(a: Point | null, b: Point | null): Point | null {
  if (!a || !b) return a ?? b;
  if (a.bookmark && b.bookmark) return a.bookmark >= b.bookmark ? a : b;
  return a.time >= b.time ? a : b;
}

function remember(key: string, point: Point | null, now: number) {
  if (stampMemo.size >= MEMO_ENTRIES) stampMemo.clear();
  // A stamp this isolate wrote is not forgotten for an older one that KV (not yet consistent) still returns.
  stampMemo.set(key, { point: later(stampMemo.get(key)?.point ?? null, point), until: now + STAMP_MEMO_MS });
}

/** Forgets every stamp this isolate remembers, as a new isolate starts (tests use it to read as another isolate would). */
export function forgetStamps(): void {
  stampMemo.clear();
}

/** The stamps of `keys`, from memory where fresh, else from KV (in bulk reads). */
async function stampsOf(kv: KVNamespace, keys: readonly string[]): Promise<(Point | null)[]> {
  const now = Date.now();
  const stale = keys.filter((key) => (stampMemo.get(key)?.until ?? 0) <= now);
  for (let from = 0; from < stale.length; from += BULK_READ_KEYS) {
    const chunk = stale.slice(from, from + BULK_READ_KEYS);
    const read = await kvDeadline(kv.get(chunk, "text"), KV_TIMEOUT_MS);
    for (const key of chunk) remember(key, decodePoint(read.get(key)), now);
  }
  return keys.map((key) => stampMemo.get(key)?.point ?? null);
}

// --- writing stamps -----------------------------------------------------------

/** When this isolate last wrote each stamp, and the folded invalidations waiting for the next second. */
const lastWrite = new Map<string, number>();
const waiting = new Map<string, Point>();

function logCacheFailure(c: HonoContext<AppEnv>, action: string, error: unknown, extra: Record<string, unknown> = {}) {
  logEvent("warn", c.var.requestId, { path: c.req.path, cache: action, ...extra, error: describeError(error) });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes one stamp, at most once a second from this isolate, unless the stamp
 * in KV is already at least as new, whoever wrote it: that one covers ours,
 * and writing ours over it would take KV back in D1's history (a folded or
 * retried write can be a second or two late). A refused (or slow) write is
 * retried, newer, until it is written or covered.
 */
async function writeStamp(c: HonoContext<AppEnv>, key: string, point: Point): Promise<void> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    // Before the read: invalidations of this key that come meanwhile wait for the next second.
    lastWrite.set(key, Date.now());
    const stored = await kvDeadline(c.env.CACHE.get(key, "text"), KV_TIMEOUT_MS).then(decodePoint, () => null);
    if (stored && later(stored, point) === stored) {
      remember(key, stored, Date.now());
      return;
    }
    try {
      await kvDeadline(c.env.CACHE.put(key, encodePoint(point), { expirationTtl: STAMP_TTL_SECONDS }), WRITE_TIMEOUT_MS);
      return;
    } catch (error) {
      if (Date.now() - started >= RETRY_WINDOW_MS) {
        logCacheFailure(c, "stamp-lost", error, { key, attempts: attempt });
        return;
      }
      logCacheFailure(c, "stamp-refused", error, { key, attempt });
      const interval = stampInterval(c.env);
      await sleep(interval + RETRY_MARGIN_MS + Math.random() * interval);
      // The retry says "changed by now": newer than the write it stands for.
      point = { bookmark: point.bookmark, time: Date.now() };
    }
  }
}

/**
 * Makes every cached answer that showed what changed unreachable: at once for
 * this isolate, and in KV within a second (see the top of this file). The
 * writes are left to the request's waitUntil: a write's response does not
 * wait for KV.
 */
export function invalidate(c: HonoContext<AppEnv>, changed: readonly Scope[], bookmark: string | null): void {
  const now = Date.now();
  const point: Point = { bookmark, time: now };
  for (const key of new Set(changed.map(stampKey))) {
    remember(key, point, now);
    const folded = waiting.get(key);
    if (folded) {
      // A write is already waiting for its second: it will carry this one too.
      waiting.set(key, later(folded, point) ?? point);
      continue;
    }
    // A write puts up to KV_TIMEOUT_MS after it starts (it reads the stamp first): the next waits that much more.
    const wait = (lastWrite.get(key) ?? 0) + stampInterval(c.env) + KV_TIMEOUT_MS - now;
    if (wait <= 0) {
      c.executionCtx.waitUntil(writeStamp(c, key, point));
      continue;
    }
    waiting.set(key, point);
    c.executionCtx.waitUntil(
      sleep(wait).then(() => {
        const latest = waiting.get(key) ?? point;
        waiting.delete(key);
        return writeStamp(c, key, { bookmark: latest.bookmark, time: Date.now() });
      }),
    );
  }
}

// --- answers ------------------------------------------------------------------

/**
 * What is stored with an answer's body, on the line before it: besides its
 * freshness, the headers that are part of the answer (`lastModified` and
 * `link`, the Last-Modified and the page links it was answered with, if any;
 * the links are absolute, and the key names the origin).
 */
type Stored = { read: Point; scopes: string[]; etag: string; type: string; lastModified?: string; link?: string };

async function answerKey(c: HonoContext<AppEnv>): Promise<string> {
  const url = new URL(c.req.url);
  // The parsed request (route and known parameters), if the route gave one:
  // parameters it does not read cannot make new entries.
  const identity = `${url.origin}|${c.var.cacheIdentity ?? `${url.pathname}?${[...url.searchParams].sort().join("&")}`}`;
  return `answer:${await sha256(identity)}`;
}

function parseStored(value: string): { stored: Stored; body: string } | null {
  const newline = value.indexOf("\n");
  if (newline < 0) return null;
  try {
    const stored = JSON.parse(value.slice(0, newline)) as Stored;
    if (!stored || typeof stored.etag !== "string" || !Array.isArray(stored.scopes) || !stored.read) return null;
    return { stored, body: value.slice(newline + 1) };
  } catch {
    return null;
  }
}

const PUBLIC = "public, max-age=0, must-revalidate";

/**
 * Serves an anonymous GET from KV when its stored answer is still fresh, and
 * stores what the handler answered when it is not. Signed-in callers (their
 * views carry `favorited`/`following`) go to D1. An anonymous caller asking
 * to skip the cache (`Cache-Control: no-cache`, or a D1 bookmark to read its
 * own writes) is let through to D1 within a per-client budget, and served
 * from the cache past it. If KV fails or is slow the request is answered from
 * D1 all the same.
 */
export const publicCache = createMiddleware<AppEnv>(async (c, next) => {
  const { ctx } = c.var;
  if (ctx.viewer) {
    c.set("cache", "bypass");
    return next();
  }
  const skip = /\bno-cache\b/i.test(c.req.header("cache-control") ?? "") || c.var.bookmark !== null;
  if (skip && (await ctx.limit("read-bypass", ctx.client))) {
    c.set("cache", "bypass");
    await next();
    if (c.res.status === 200) c.res.headers.set("Cache-Control", PUBLIC);
    return;
  }

  let key: string | null = null;
  try {
    key = await answerKey(c);
    const value = await kvDeadline(c.env.CACHE.get(key, "text"), KV_TIMEOUT_MS);
    const found = value === null ? null : parseStored(value);
    if (found) {
      const stamps = await stampsOf(c.env.CACHE, found.stored.scopes);
      const newest = stamps.filter((stamp): stamp is Point => stamp !== null && !includes(found.stored.read, stamp));
      if (!newest.length) {
        c.set("cache", "hit");
        return c.body(found.body, 200, {
          "Content-Type": found.stored.type,
          ETag: found.stored.etag,
          ...(found.stored.lastModified ? { "Last-Modified": found.stored.lastModified } : {}),
          ...(found.stored.link ? { Link: found.stored.link } : {}),
          "Cache-Control": PUBLIC,
        });
      }
      // Read again from at least as far as the newest write that made it stale.
      c.set(
        "readAfter",
        newest
          .map((stamp) => stamp.bookmark ?? "")
          .sort()
          .at(-1) || null,
      );
    }
  } catch (error) {
    logCacheFailure(c, "read", error);
    key = null;
  }

  c.set("cache", key ? "miss" : "bypass");
  const readAt = Date.now();
  await next();
  if (c.res.status !== 200) return;
  c.res.headers.set("Cache-Control", PUBLIC);
  if (!key) return;
  const body = await c.res.clone().text();
  const etag = await entityTag(body);
  c.res.headers.set("ETag", etag);
  const stored: Stored = {
    read: { bookmark: c.var.reached?.() ?? null, time: readAt },
    scopes: [...new Set(c.var.shown.map(stampKey))],
    // The media type is kept with the body, so every API style gets its own back.
    type: c.res.headers.get("content-type") ?? "application/json",
    etag,
    ...(c.res.headers.has("last-modified") ? { lastModified: c.res.headers.get("last-modified") ?? "" } : {}),
    ...(c.res.headers.has("link") ? { link: c.res.headers.get("link") ?? "" } : {}),
  };
  const store = kvDeadline(
    c.env.CACHE.put(key, `${JSON.stringify(stored)}\n${body}`, { expirationTtl: BODY_TTL_SECONDS }),
    WRITE_TIMEOUT_MS,
  ).catch((error: unknown) => logCacheFailure(c, "write", error));
  c.executionCtx.waitUntil(store);
});

/**
 * A declared route's anonymous answer through the cache: `identity` names it
 * (what the route parsed from the request: other parameters cannot make new
 * entries), and `respond` makes it on a miss.
 */
export async function cachedAnswer(c: HonoContext<AppEnv>, identity: unknown[], respond: () => Promise<Response>) {
  c.set("cacheIdentity", JSON.stringify(identity));
  const hit = await publicCache(c, async () => {
    c.res = await respond();
  });
  return hit ?? c.res;
}
