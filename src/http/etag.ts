import { every } from "hono/combine";
import { etag, RETAINED_304_HEADERS } from "hono/etag";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";

// HTTP revalidation for every GET: each successful answer carries an ETag and
// the Cache-Control it may be kept under, and a matching If-None-Match gets a
// 304 (Hono's etag middleware). An answer that also says when it last changed
// (Last-Modified: the Atom feeds) answers If-Modified-Since as well.

const encoder = new TextEncoder();

/** A strong validator for a body: the first 128 bits of its SHA-256. The KV cache stores it with the body. */
export async function entityTag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(body))).slice(0, 16);
  return `"${Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")}"`;
}

const isRead = (method: string) => method === "GET" || method === "HEAD";

/**
 * Cache-Control: private unless the KV cache said the answer is public (it set
 * one); anything but a successful read is not to be stored. The ETag is the
 * whole body's digest, the same whether or not the answer came from KV.
 */
const validators = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (!isRead(c.req.method) || c.res.status !== 200) {
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
    return;
  }
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "private, no-cache");
  c.res.headers.append("Vary", "Authorization");
  if (!c.res.headers.has("ETag")) c.res.headers.set("ETag", await entityTag(await c.res.clone().text()));
});

const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const TIME = "\\d{2}:\\d{2}:\\d{2}";
/** IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must still accept (RFC 9110 §5.6.7). */
const HTTP_DATE = new RegExp(
  `^(?:${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT|${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4})$`,
);

/** The instant an HTTP-date names (ms since the epoch), or null for anything that is not exactly one HTTP-date. */
export function httpDate(value: string | null | undefined): number | null {
  if (!value || !HTTP_DATE.test(value)) return null;
  // asctime has no zone: it is UTC, like the others.
  const ms = Date.parse(value.endsWith("GMT") ? value : `${value} GMT`);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Besides the headers RFC 9110 keeps on a 304 (Cache-Control, ETag, Vary…),
 * Last-Modified (a cache updates it from the 304) and those set before the
 * API's handlers ran that a client reads on every answer: its request id and CORS.
 */
const RETAINED_HEADERS = [
  ...RETAINED_304_HEADERS,
  "last-modified",
  "x-request-id",
  "access-control-allow-origin",
  "access-control-expose-headers",
];

/**
 * If-Modified-Since (RFC 9110 §13.1.3): a 304 for an answer whose
 * Last-Modified is not later than the date sent (HTTP-dates count whole
 * seconds). Evaluated only when If-None-Match is absent, which wins when both
 * are sent (§13.2.2), and ignored unless it is one valid HTTP-date no later
 * than now (a future date would freeze the client; RFC 2616 called it invalid).
 */
const notModifiedSince = createMiddleware<AppEnv>(async (c, next) => {
  const since = c.req.header("If-None-Match") === undefined ? httpDate(c.req.header("If-Modified-Since")) : null;
  await next();
  if (since === null || since > Date.now() || !isRead(c.req.method) || c.res.status !== 200) return;
  const lastModified = httpDate(c.res.headers.get("Last-Modified"));
  if (lastModified === null || lastModified > since) return;
  await c.res.body?.cancel();
  // Hono copies the old answer's headers onto the new one: those not retained go.
  c.res = new Response(null, { status: 304 });
  for (const name of [...c.res.headers.keys()]) if (!RETAINED_HEADERS.includes(name)) c.res.headers.delete(name);
});

/** Validators first on the way out, then the 304 of If-Modified-Since, then that of If-None-Match. */
export const conditionalGet = every(etag({ retainedHeaders: RETAINED_HEADERS }), notModifiedSince, validators);
