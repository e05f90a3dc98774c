import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { BOOKMARK_HEADER } from "../db/session";
import type { AppEnv } from "./context";

// Headers every response carries, whatever answered it.

/**
 * What the request cost: whether the KV cache answered, how many D1 round
 * trips were made (a batch is one), how long they took and how many rows D1
 * read for them (what D1 bills): `d1;desc=1;dur=2.4;rows=143`.
 */
export const serverTiming = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const meter = c.var.meter ?? { trips: 0, ms: 0, rowsRead: 0 };
  c.res.headers.set(
    "Server-Timing",
    `cache;desc=${c.var.cache ?? "bypass"}, d1;desc=${meter.trips};dur=${meter.ms.toFixed(1)};rows=${meter.rowsRead}`,
  );
  c.res.headers.set("Timing-Allow-Origin", "*");
});

/** Any origin may call the API (it holds no cookies): tokens travel in Authorization. */
export const corsPolicy = cors({
  origin: "*",
  allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
  allowHeaders: [
    "Authorization",
    "Content-Type",
    "X-Request-Id",
    BOOKMARK_HEADER,
    "If-None-Match",
    "If-Modified-Since",
    "Cache-Control",
  ],
  exposeHeaders: ["X-Request-Id", BOOKMARK_HEADER, "Server-Timing", "ETag", "Link"],
  maxAge: 86_400,
});

export const securityHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  xFrameOptions: "DENY",
  crossOriginResourcePolicy: "cross-origin",
  // The HTML pages (src/service/) set a Content-Security-Policy of their own.
  overwrite: false,
});

/** Hono's c.json() says `application/json`; the contract wants the charset too. */
export const jsonCharset = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.res.headers.get("content-type") === "application/json") {
    c.res.headers.set("content-type", "application/json; charset=utf-8");
  }
});
