import { every } from "hono/combine";
import { etag, RETAINED_304_HEADERS } from "hono/etag";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";

// HTTP revalidation for every GET: each successful answer carries an ETag and
// the Cache-Control it may be kept under, and a matching If-None-Match gets a
// 304 (Hono's etag middleware).

const encoder = new TextEncoder();

/** A strong validator for a body: the first 128 bits of its SHA-256. The KV cache stores it with the body. */
export async function entityTag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(body))).slice(0, 16);
  return `"${Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")}"`;
}

/**
 * Cache-Control: private unless the KV cache said the answer is public (it set
 * one); anything but a successful read is not to be stored. The ETag is the
 * whole body's digest, the same whether or not the answer came from KV.
 */
const validators = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const isRead = c.req.method === "GET" || c.req.method === "HEAD";
  if (!isRead || c.res.status !== 200) {
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
    return;
  }
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "private, no-cache");
  c.res.headers.append("Vary", "Authorization");
  if (!c.res.headers.has("ETag")) c.res.headers.set("ETag", await entityTag(await c.res.clone().text()));
});

/**
 * Validators first on the way out, then the 304: besides the headers RFC 9110
 * keeps (Cache-Control, ETag, Vary…), the ones set before the API's handlers
 * ran and that a client reads on every answer: its request id and CORS.
 */
export const conditionalGet = every(
  etag({
    retainedHeaders: [...RETAINED_304_HEADERS, "x-request-id", "access-control-allow-origin", "access-control-expose-headers"],
  }),
  validators,
);
